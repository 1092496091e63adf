// The operator's page, embedded in the binary: an SVG plan drawn from the registry, boxes
// with their state, incidents live (position, ellipse, bearings, class), a list to acknowledge.
// No external assets, except map tiles drawn under the plan when the site has a tile_url
// (Web Mercator {z}/{x}/{y} placed from the plane origin's latitude/longitude); no audio anywhere.

enum OperatorPageHTML {
    static let text = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Earshot supervision</title>
<style>
body{margin:0;font:14px system-ui,sans-serif;display:flex;height:100vh;background:#111;color:#eee}
#plan{flex:1;background:#1b1f24}
#side{width:380px;overflow:auto;padding:8px;border-left:1px solid #333}
h1{font-size:16px;margin:4px 0}
.inc{border:1px solid #444;border-radius:4px;padding:6px;margin:6px 0}
.inc.open{border-color:#e55}.inc.ack{opacity:.6}
.inc b{color:#fc6}
button{background:#335;color:#eee;border:1px solid #668;border-radius:3px;cursor:pointer}
.box-online{fill:#4c4}.box-offline{fill:#c44}.box-unknown{fill:#888}
.street{stroke:#555;stroke-width:6;fill:none;stroke-linecap:round}
.ellipse{fill:rgba(255,80,80,.18);stroke:#f55;vector-effect:non-scaling-stroke}
.bearing{stroke:#fc6;stroke-dasharray:4 3;vector-effect:non-scaling-stroke}
text{fill:#ccc;font-size:12px}
#attribution{font-size:11px;color:#999;margin-top:8px}
</style></head>
<body>
<svg id="plan" xmlns="http://www.w3.org/2000/svg"></svg>
<div id="side"><h1 id="title">Earshot</h1><div id="conn">connecting…</div>
<h1>Incidents</h1><div id="list"></div><h1>Boxes</h1><div id="boxes"></div><div id="attribution"></div></div>
<script>
"use strict";
let state=null;
const NS="http://www.w3.org/2000/svg";
function el(n,a,p){const e=document.createElementNS(NS,n);for(const k in a)e.setAttribute(k,a[k]);if(p)p.appendChild(e);return e}
function txt(s){return String(s).replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]))}
// Map tiles under the plan: plane metres (x east, y north from the origin) → Web Mercator
// metres (scale 1/cos(origin latitude)) → tile indices at a zoom fitting the view (≤ 256 tiles).
const R=6378137,C=2*Math.PI*R;
function tiles(g,minX,maxX,minY,maxY,svg){
  const t=state.tiles;if(!t)return;
  const lat0=t.origin_lat_deg*Math.PI/180,k=1/Math.cos(lat0);
  const mx0=R*t.origin_lon_deg*Math.PI/180,my0=R*Math.log(Math.tan(Math.PI/4+lat0/2));
  // What the SVG shows (viewBox letterboxed into the element, "meet"), m per px.
  const W=svg.clientWidth||1000,H=svg.clientHeight||700,vw=maxX-minX,vh=maxY-minY,mpp=Math.max(vw/W,vh/H);
  const cx=(minX+maxX)/2,cy=(minY+maxY)/2,x0m=cx-W*mpp/2,x1m=cx+W*mpp/2,y0m=cy-H*mpp/2,y1m=cy+H*mpp/2;
  let z=t.zoom!==null?t.zoom:Math.round(Math.log2(C/k/(256*mpp)));
  z=Math.max(0,Math.min(t.max_zoom,z));
  let T,tx0,tx1,ty0,ty1;
  for(;;){T=C/Math.pow(2,z);
    tx0=Math.floor((mx0+x0m*k+C/2)/T);tx1=Math.floor((mx0+x1m*k+C/2)/T);
    ty0=Math.floor((C/2-(my0+y1m*k))/T);ty1=Math.floor((C/2-(my0+y0m*k))/T);
    if((tx1-tx0+1)*(ty1-ty0+1)<=256||z===0)break;z--}
  const n=Math.pow(2,z),size=T/k,layer=el("g",{id:"tiles",opacity:"0.75"},g);
  for(let ty=Math.max(ty0,0);ty<=Math.min(ty1,n-1);ty++)for(let tx=tx0;tx<=tx1;tx++){
    const url=t.url.replace(/\{z\}/g,z).replace(/\{x\}/g,((tx%n)+n)%n).replace(/\{y\}/g,ty);
    const west=(tx*T-C/2-mx0)/k,north=(C/2-ty*T-my0)/k;
    el("image",{class:"tile",href:url,"data-tile":z+"/"+tx+"/"+ty,x:west,y:-north,width:size,height:size,preserveAspectRatio:"none"},layer)}
  document.getElementById("attribution").textContent=t.attribution?"Map: "+t.attribution:"";
}
function draw(){
  if(!state)return;
  document.getElementById("title").textContent="Earshot — site "+state.site;
  const svg=document.getElementById("plan");svg.innerHTML="";
  let xs=state.boxes.map(b=>b.x_m),ys=state.boxes.map(b=>b.y_m);
  for(const i of state.incidents){xs.push(i.position.x_m);ys.push(i.position.y_m)}
  const pad=60,minX=Math.min(...xs)-pad,maxX=Math.max(...xs)+pad,minY=Math.min(...ys)-pad,maxY=Math.max(...ys)+pad;
  svg.setAttribute("viewBox",minX+" "+(-maxY)+" "+(maxX-minX)+" "+(maxY-minY));
  const g=el("g",{},svg); // y north: drawn as -y
  tiles(g,minX,maxX,minY,maxY,svg);
  for(const s of state.streets){el("polyline",{class:"street",points:s.points.map(p=>p[0]+","+(-p[1])).join(" ")},g)}
  const byId={};for(const b of state.boxes)byId[b.id]=b;
  for(const i of state.incidents){
    if(i.state!=="open"&&i.acknowledged)continue;
    const x=i.position.x_m,y=-i.position.y_m,e=i.ellipse;
    el("ellipse",{class:"ellipse","data-incident":i.id,cx:x,cy:y,rx:Math.max(e.semi_major_m,1),ry:Math.max(e.semi_minor_m,1),
      transform:"rotate("+(-e.orientation_deg)+" "+x+" "+y+")"},g);
    for(const c of i.contributions){const b=byId[c.sensor];if(!b)continue;
      if(c.bearing_deg!==undefined){const a=(b.orientation_deg+c.bearing_deg)*Math.PI/180,L=Math.hypot(x-b.x_m,y+b.y_m)*1.2+20;
        el("line",{class:"bearing",x1:b.x_m,y1:-b.y_m,x2:b.x_m+L*Math.cos(a),y2:-b.y_m-L*Math.sin(a)},g)}
      else el("line",{class:"bearing",x1:b.x_m,y1:-b.y_m,x2:x,y2:y},g)}
    el("circle",{cx:x,cy:y,r:4,fill:"#f55"},g);
    el("text",{x:x+6,y:y-6},g).textContent=i.class;
  }
  for(const b of state.boxes){
    const cls=b.state==="online"?"box-online":b.state==="offline"?"box-offline":"box-unknown";
    el("circle",{class:cls,"data-box":b.id,cx:b.x_m,cy:-b.y_m,r:5},g);
    el("text",{x:b.x_m+7,y:-b.y_m+4},g).textContent=b.id;
  }
  const list=document.getElementById("list");
  list.innerHTML=state.incidents.slice().reverse().map(i=>
    '<div class="inc '+(i.state==="open"?"open ":"")+(i.acknowledged?"ack":"")+'" id="'+txt(i.id)+'"><b>'+txt(i.class)+"</b> "+txt(i.state)+
    " — "+txt(i.onset.slice(11,23))+" UTC<br>at ("+i.position.x_m.toFixed(1)+", "+i.position.y_m.toFixed(1)+") m ± "+
    i.ellipse.semi_major_m.toFixed(1)+" m by "+txt(i.method)+"<br>boxes: "+i.contributions.map(c=>txt(c.sensor)).join(", ")+
    "<br><small>"+txt(i.id)+"</small> "+(i.acknowledged?"<i>acknowledged</i>":'<button data-ack="'+txt(i.id)+'">Acknowledge</button>')+"</div>").join("")||"none";
  document.getElementById("boxes").innerHTML=state.boxes.map(b=>txt(b.id)+": "+txt(b.state||"no status")+(b.mode?" ("+txt(b.mode)+")":"")+
    (b.last_seen_s!==null?", seen "+b.last_seen_s+" s ago":"")).join("<br>");
}
function merge(inc){
  const i=state.incidents.findIndex(x=>x.id===inc.id);
  if(i>=0){inc.acknowledged=state.incidents[i].acknowledged;state.incidents[i]=inc}else{inc.acknowledged=false;state.incidents.push(inc)}
  draw();
}
async function load(){state=await (await fetch("/api/state")).json();draw()}
document.addEventListener("click",async ev=>{const id=ev.target.getAttribute&&ev.target.getAttribute("data-ack");
  if(id){await fetch("/api/incidents/"+encodeURIComponent(id)+"/ack",{method:"POST"});await load()}});
// ?static: draw once, no live stream (a headless browser's DOM dump waits for the network to go idle).
load().then(()=>{
  if(location.search.includes("static")){document.getElementById("conn").textContent="static";return}
  const es=new EventSource("/events");
  es.onopen=()=>{document.getElementById("conn").textContent="live"};
  es.onerror=()=>{document.getElementById("conn").textContent="reconnecting…"};
  es.addEventListener("incident",e=>{if(state)merge(JSON.parse(e.data))});
  es.addEventListener("state",e=>{state=JSON.parse(e.data);draw()});
});
</script></body></html>
"""#
}
