import { encodeEvent, GENESIS_HASH, hashBytes, packr } from './dist/src/log/codec.js';
import { RESERVE_START_SPACE } from 'msgpackr';
const N=200000;
const evs = Array.from({length:N},(_, i)=>({ type: 'NodeLabelsChanged', nodeId: 'abcdefghijklmnopqrstuvwxy', added: { [`k${i % 8}`]: `v${i}` }, removed: [] }));
function t(name, f){ const t0=performance.now(); f(); const ms=performance.now()-t0; console.log(name, (ms*1000/N).toFixed(3),'us/ev'); }
for (let r=0;r<4;r++){
let prev = hashBytes(GENESIS_HASH);
t('encodeEvent', ()=>{ for (let i=0;i<N;i++) prev = encodeEvent(i+1,0,i+1,evs[i],prev); });
t('pack', ()=>{ for (let i=0;i<N;i++) prev = packr.pack(evs[i]); });
t('pack reserve', ()=>{ for (let i=0;i<N;i++) prev = packr.pack(evs[i], RESERVE_START_SPACE|84); });
}
