(function () {
  var map = {{ map_name }};
  var layers = {{ layers }};
  var shapes = {old: {{ old }}, new: {{ new }}};
  window.observatoryMap = map;
  {%- if basemap %}
  L.tileLayer({{ basemap.url }}, {attribution: {{ basemap.attribution }}}).addTo(map);
  {%- endif %}

{% include "escape.js" %}
  function tooltip(layer) {
    var p = layer.feature.properties;
    var html = "<div><strong>" + esc(p.code) + "</strong> " + esc(p.name_en);
    if (p.name_ar) { html += ' <span dir="rtl" lang="ar">' + esc(p.name_ar) + "</span>"; }
    return html + "</div>";
  }
  var overlays = {}, bounds = null;
  layers.forEach(function (spec) {
    var layer = L.geoJSON(shapes[spec.key], {
      style: {color: spec.colour, weight: spec.key === "old" ? 3 : 2, fill: spec.key === "new",
              fillOpacity: 0.05, dashArray: spec.dash}
    }).bindTooltip(tooltip, {sticky: true, className: "district-tooltip"}).addTo(map);
    overlays['<span class="layer-name" data-layer="' + spec.key + '">' + esc(spec.label)
             + "</span>"] = layer;
    if (layer.getLayers().length) {
      bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
    }
  });
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  if (bounds) { map.fitBounds(bounds); }
})();
