(function () {
  var map = {{ map_name }};
  var labels = {{ labels }};
  var rows = {{ rows }};
  var eventLayers = {{ event_layers }};
  var heat = {{ heat }};
  window.observatoryMap = map;
  // Marker clusters need a top zoom level, which a map without tiles does not have.
  map.setMaxZoom(19);
  {%- if basemap %}
  L.tileLayer({{ basemap.url }}, {attribution: {{ basemap.attribution }}}).addTo(map);
  {%- endif %}

{% include "escape.js" %}
  // The layer control writes names as markup; data-layer keeps a stable key for each.
  function controlName(key, label) {
    return '<span class="layer-name" data-layer="' + esc(key) + '">' + esc(label) + "</span>";
  }

  var overlays = {};
  var districts = L.geoJSON({{ districts }}, {
    style: function (feature) {
      return {fillColor: feature.properties.fill, fillOpacity: 0.7, color: "#4d4d4d", weight: 1,
              dashArray: feature.properties.dash || null};
    }
  }).bindTooltip(function (layer) {
    var p = layer.feature.properties;
    var html = "<div><strong>" + esc(p.name_en || p.code) + "</strong>";
    if (p.name_ar) { html += ' <span dir="rtl" lang="ar">' + esc(p.name_ar) + "</span>"; }
    html += "</div><table>";
    rows.forEach(function (r) { html += row(r[0], p[r[1]]); });
    return html + "</table>";
  }, {sticky: true, className: "district-tooltip"}).addTo(map);
  overlays[controlName("districts", labels.districts)] = districts;

  // The heat map is what a planner looks at first: its own pane above the choropleth's (400)
  // and below the markers (600), letting the pointer through to the districts' tooltips.
  var heatLayer = null;
  if (heat) {
    var heatPane = map.createPane("heat");
    heatPane.style.zIndex = 450;
    heatPane.style.pointerEvents = "none";
    heatLayer = L.imageOverlay(heat.image, heat.bounds,
                               {opacity: heat.opacity, className: "heat-overlay", pane: "heat"})
      .addTo(map);
    overlays[controlName("heat", heat.label)] = heatLayer;
    var opacityInput = document.getElementById("heat-opacity");
    if (opacityInput) {
      opacityInput.addEventListener("input", function () {
        heatLayer.setOpacity(Number(opacityInput.value) / 100);
      });
    }
  }

  // A point of a large layer stands for the n events of its cell on its day (exact counts).
  function total(markers) { return markers.reduce(function (sum, m) { return sum + m.events; }, 0); }
  function popup(layer, point) {
    var html = "<div><strong>" + esc(layer.label) + "</strong></div><table>";
    if (point.n) {
      var day = point.t === null ? "" : new Date(point.t).toISOString().slice(0, 10);
      return html + row("", labels.events_here.replace("{n}", point.n).replace("{day}", day))
        + "</table>";
    }
    if (point.t !== null) { html += row("", new Date(point.t).toISOString().slice(0, 16).replace("T", " ")); }
    Object.keys(point.attributes).forEach(function (k) { html += row(k, point.attributes[k]); });
    return html + "</table>";
  }
  var groups = eventLayers.map(function (layer) {
    var group = L.markerClusterGroup({
      iconCreateFunction: function (cluster) {
        // Coloured through the CSSOM: the page's policy refuses style attributes in markup.
        var disc = document.createElement("div");
        var count = disc.appendChild(document.createElement("span"));
        disc.style.background = layer.colour;
        count.textContent = total(cluster.getAllChildMarkers());
        return L.divIcon({
          html: disc,
          className: "marker-cluster event-cluster event-cluster-" + layer.key.replace(/\W/g, "_"),
          iconSize: L.point(40, 40)
        });
      }
    });
    var markers = layer.points.map(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: point.n ? 6 + Math.min(10, Math.log2(point.n)) : 6,
        color: "#222", weight: 1, fillColor: layer.colour, fillOpacity: 0.9
      });
      marker.events = point.n || 1;
      marker.bindPopup(function () { return popup(layer, point); });
      marker.occurredAt = point.t;
      return marker;
    });
    group.addLayers(markers);
    group.addTo(map);
    overlays[controlName(layer.key, layer.label)] = group;
    return {layer: layer, group: group, markers: markers};
  });
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  map.fitBounds(districts.getBounds());

  // Time filter: point layers are filtered here, in the page; the heat map is re-requested
  // from the API (when the page came from it) because its density depends on the window.
  var startInput = document.getElementById("time-start");
  var endInput = document.getElementById("time-end");
  var count = document.getElementById("time-count");
  function dayStart(value) { return value ? Date.parse(value + "T00:00:00Z") : null; }
  function applyWindow() {
    var start = dayStart(startInput.value);
    var end = dayStart(endInput.value);
    if (end !== null) { end += 86400000; }  // the end date is included, whole
    var shown = 0;
    groups.forEach(function (g) {
      var kept = g.markers.filter(function (m) {
        if (!g.layer.timed) { return true; }
        return (start === null || m.occurredAt >= start) && (end === null || m.occurredAt < end);
      });
      g.group.clearLayers();
      g.group.addLayers(kept);
      if (g.layer.timed) { shown += total(kept); }
    });
    count.textContent = shown;
    return {start: startInput.value, end: endInput.value};
  }
  function refreshHeat(window_) {
    if (!heat || !heat.url) { return; }
    var url = new URL(heat.url, document.baseURI);
    url.searchParams.set("start", window_.start);
    url.searchParams.set("end", window_.end);
    fetch(url).then(function (response) {
      if (!response.ok) { throw new Error(response.statusText); }
      var peak = response.headers.get("X-Heat-Peak");
      // X-Bounds: west,south,east,north (EPSG:4326); Leaflet wants [[south, west], [north, east]].
      var b = response.headers.get("X-Bounds").split(",").map(Number);
      var bounds = [[b[1], b[0]], [b[3], b[2]]];
      return response.blob().then(function (blob) {
        heatLayer.setBounds(L.latLngBounds(bounds));
        heatLayer.setUrl(URL.createObjectURL(blob));
        document.getElementById("heat-peak").textContent = Number(peak).toPrecision(3);
        document.getElementById("heat-legend").classList.remove("heat-stale");
      });
    }).catch(function () {
      document.getElementById("heat-legend").classList.add("heat-stale");
    });
  }
  document.getElementById("time-filter").addEventListener("submit", function (event) {
    event.preventDefault();
    refreshHeat(applyWindow());
  });
  applyWindow();
})();
