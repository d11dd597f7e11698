  // Text from ingested files and field reports becomes markup only through esc().
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function row(label, text) {
    return text ? "<tr><th>" + esc(label) + "</th><td>" + esc(text) + "</td></tr>" : "";
  }