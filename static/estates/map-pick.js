// The compound form's map: a click sets 经度/纬度 (Web Mercator, the frame written on the
// SVG by estates.geo); typing coordinates moves the marker. No inline script (CSP).
(function () {
  "use strict";
  var svg = document.querySelector("svg.map-pick");
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  if (!svg || !lat || !lng) return;
  var x0 = parseFloat(svg.dataset.x0), y0 = parseFloat(svg.dataset.y0);
  var span = parseFloat(svg.dataset.span);
  var width = parseFloat(svg.dataset.width), height = parseFloat(svg.dataset.height);
  var marker = svg.querySelector(".pick-marker");

  function toPixel(lon, la) {
    var x = (lon + 180) / 360;
    var rad = la * Math.PI / 180;
    var y = (1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2;
    return [(x - x0) / span, (y - y0) / span];
  }

  function place() {
    var la = parseFloat(lat.value), lon = parseFloat(lng.value);
    if (isNaN(la) || isNaN(lon) || !marker) return;
    var p = toPixel(lon, la);
    marker.setAttribute("cx", p[0].toFixed(1));
    marker.setAttribute("cy", p[1].toFixed(1));
  }

  svg.addEventListener("click", function (event) {
    var box = svg.getBoundingClientRect();
    var px = (event.clientX - box.left) * width / box.width;
    var py = (event.clientY - box.top) * height / box.height;
    var x = x0 + px * span, y = y0 + py * span;
    var lon = x * 360 - 180;
    var la = Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180 / Math.PI;
    lng.value = lon.toFixed(6);
    lat.value = la.toFixed(6);
    lat.dispatchEvent(new Event("change", { bubbles: true }));
    place();
  });
  lat.addEventListener("input", place);
  lng.addEventListener("input", place);
  place();
})();
