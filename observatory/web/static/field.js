// The field form: pick the place on the map (or type it), then POST the report, with the key
// typed by the field worker, to the field-report API.
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var words = data.words;
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var result = document.getElementById("result");
  var mapElement = document.getElementById("field-map");
  var map = L.map(mapElement);
  if (data.basemap) {
    L.tileLayer(data.basemap.url, {attribution: data.basemap.attribution}).addTo(map);
  }
  var marker = null;
  function place() {
    var at = [parseFloat(lat.value), parseFloat(lon.value)];
    if (isNaN(at[0]) || isNaN(at[1])) { return; }
    if (marker) { marker.setLatLng(at); return; }
    marker = L.circleMarker(at, {radius: 8, color: "#222", weight: 2, fillColor: "#CC79A7",
                                 fillOpacity: 0.9}).addTo(map);
  }
  fetch(data.districts_url).then(function (response) { return response.json(); })
    .then(function (districts) {
      // Outlines only, not clickable: a click anywhere places the report.
      var outlines = L.geoJSON(districts, {
        interactive: false, style: {color: "#4d4d4d", weight: 1, fillOpacity: 0.05}
      }).addTo(map);
      map.fitBounds(outlines.getBounds());
      mapElement.dataset.ready = "true";
    });
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    place();
  });
  lat.addEventListener("change", place);
  lon.addEventListener("change", place);
  document.getElementById("locate").addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lon.value = position.coords.longitude.toFixed(6);
      place();
    }, function (error) { result.textContent = error.message; });
  });
  document.getElementById("field-report").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    result.textContent = words.sending;
    delete result.dataset.reportId;
    fetch(data.submit_url, {
      method: "POST", body: new FormData(form),
      headers: {"X-API-Key": document.getElementById("key").value}
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          result.dataset.reportId = body.id;
          result.textContent = words.sent.replace("{id}", body.id);
          return;
        }
        var reason = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
        result.textContent = words.not_sent.replace("{reason}", reason);
      });
    }).catch(function (error) {
      result.textContent = words.not_sent.replace("{reason}", error.message);
    });
  });
})();
