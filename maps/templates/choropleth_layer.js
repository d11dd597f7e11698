(function () {
  var map = {{ map_name }};
  // Tooltip rows: [label, property] pairs, shown when the district has that property's text.
  var rows = {{ rows }};
  {%- if basemap %}
  L.tileLayer({{ basemap.url }}, {attribution: {{ basemap.attribution }}}).addTo(map);
  {%- endif %}

{% include "escape.js" %}
  function tooltip(layer) {
    var p = layer.feature.properties;
    var html = "<div><strong>" + esc(p.name_en || p.code) + "</strong>";
    if (p.name_ar) {
      html += ' <span dir="rtl" lang="ar">' + esc(p.name_ar) + "</span>";
    }
    html += "</div><table>";
    rows.forEach(function (r) { html += row(r[0], p[r[1]]); });
    return html + "</table>";
  }

  var districts = L.geoJSON({{ data }}, {
    style: function (feature) {
      var p = feature.properties;
      return {fillColor: p.fill, fillOpacity: 0.8, color: "#4d4d4d", weight: 1,
              dashArray: p.dash || null};
    },
    onEachFeature: function (feature, layer) {
      layer.on({
        mouseover: function (e) { e.target.setStyle({weight: 3}); e.target.bringToFront(); },
        mouseout: function (e) { districts.resetStyle(e.target); }
      });
    }
  }).bindTooltip(tooltip, {sticky: true, className: "district-tooltip"}).addTo(map);
  map.fitBounds(districts.getBounds());
})();
