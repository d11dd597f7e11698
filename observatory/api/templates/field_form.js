document.getElementById("locate").addEventListener("click", () => {
  navigator.geolocation.getCurrentPosition((p) => {
    document.getElementById("lat").value = p.coords.latitude.toFixed(6);
    document.getElementById("lon").value = p.coords.longitude.toFixed(6);
  }, (e) => { document.getElementById("result").textContent = e.message; });
});
document.getElementById("report").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const response = await fetch(form.action, {
    method: "POST", body: new FormData(form),
    headers: { "X-API-Key": document.getElementById("key").value },
  });
  const body = await response.json();
  document.getElementById("result").textContent = response.ok
    ? "Sent: report " + body.id + " awaits review."
    : "Not sent: " + (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail));
});
