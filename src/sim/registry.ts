/**
 * The simulated registry's answer to the one question the scheduler cares about: which platforms an
 * image supports. `docker service create` (unless `--no-resolve-image`) resolves the image on its registry,
 * pins the digest and copies the platforms of the manifest list into `Placement.Platforms`
 * (docker/cli `service/trust.go` resolveServiceImageDigestContentTrust / `ResolveImage` in the daemon),
 * where swarmkit's PlatformFilter reads them. The engine has no registry: these are the platforms Docker
 * Hub lists for a few well-known images (attestation entries left out). Any other image resolves to no
 * platform list, as an image without a manifest list of platforms does: every node may run it.
 */

/** A platform as a swarm service spec records it. */
export interface ImagePlatform {
  architecture: string;
  os: string;
}

const linux = (...archs: string[]): ImagePlatform[] => archs.map((architecture) => ({ architecture, os: 'linux' }));

/** Platforms by repository (Docker Hub's `library/` left out), and by `repository:tag` where a tag differs. */
const KNOWN: Record<string, ImagePlatform[]> = {
  nginx: linux('amd64', 'arm', 'arm64', '386', 'mips64le', 'ppc64le', 's390x'),
  redis: linux('amd64', 'arm', 'arm', 'arm64', '386', 'mips64le', 'ppc64le', 's390x'),
  alpine: linux('amd64', 'arm', 'arm', 'arm64', '386', 'ppc64le', 'riscv64', 's390x'),
  busybox: linux('amd64', 'arm', 'arm', 'arm', 'arm64', '386', 'mips64le', 'ppc64le', 'riscv64', 's390x'),
  httpd: linux('amd64', 'arm', 'arm', 'arm64', '386', 'mips64le', 'ppc64le', 's390x'),
  postgres: linux('amd64', 'arm', 'arm', 'arm64', '386', 'mips64le', 'ppc64le', 's390x'),
  mysql: linux('amd64', 'arm64'),
  'mysql:5.7': linux('amd64'),
  mongo: linux('amd64', 'arm64'),
  traefik: linux('amd64', 'arm', 'arm64', 'ppc64le', 'riscv64', 's390x'),
  'prom/node-exporter': linux('amd64', 'arm', 'arm64', 'ppc64le', 's390x'),
  'dockersamples/visualizer': linux('amd64'),
  'dockersamples/examplevotingapp_vote': linux('amd64'),
};

/** The repository and tag of an image reference (`docker.io/library/` dropped, digest ignored). */
function repoAndTag(ref: string): { repo: string; tag: string } {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const [repo, tag] = colon > slash ? [noDigest.slice(0, colon), noDigest.slice(colon + 1)] : [noDigest, 'latest'];
  return { repo: repo.replace(/^docker\.io\//, '').replace(/^library\//, ''), tag };
}

/**
 * Placement.Platforms of a service whose image is `image`: what the CLI recorded when it resolved (and
 * pinned) it; none for an image it did not resolve (`--no-resolve-image`: no digest) or an unknown one.
 */
export function resolvedPlatforms(image: string): ImagePlatform[] {
  if (!image.includes('@sha256:')) return [];
  const { repo, tag } = repoAndTag(image);
  return KNOWN[`${repo}:${tag}`] ?? KNOWN[repo] ?? [];
}

/**
 * swarmkit PlatformFilter.platformEqual: x86_64 is amd64, aarch64 is arm64 (nothing else is normalised:
 * an armv7l node does not match an `arm` image); an empty field matches any.
 */
export function platformMatches(image: ImagePlatform, nodeOs: string, nodeArch: string): boolean {
  const norm = (a: string): string => (a === 'x86_64' ? 'amd64' : a === 'aarch64' ? 'arm64' : a);
  return (image.architecture === '' || norm(image.architecture) === norm(nodeArch)) && (image.os === '' || image.os === nodeOs);
}
