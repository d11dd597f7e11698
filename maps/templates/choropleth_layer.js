(function () {
  var map = {{ map_name }};
  var labels = {{ labels }};
  {%- if basemap %}
  L.tileLayer({{ basemap.url }}, {attribution: {{ basemap.attribution }}}).addTo(map);
  {%- endif %}

  // District names come from ingested files: escape them before they become markup.
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function row(label, text) {
    return text ? "<tr><th>" + esc(label) + "</th><td>" + esc(text) + "</td></tr>" : "";
  }
  function tooltip(layer) {
    var p = layer.feature.properties;
    var html = "<div><strong>" + esc(p.name_en || p.code) + "</strong>";
    if (p.name_ar) {
      html += ' <span dir="rtl" lang="ar">' + esc(p.name_ar) + "</span>";
    }
    return html + "</div><table>" + row(labels.indicator, p.value_text)
      + row(labels.score, p.score_text) + row(labels.coverage, p.coverage_text) + "</table>";
  }

  var districts = L.geoJSON({{ data }}, {
    style: function (feature) {
      return {fillColor: feature.properties.fill, fillOpacity: 0.8, color: "#4d4d4d", weight: 1};
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
