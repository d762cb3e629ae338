/* The map of the national view, on top of Leaflet. Progressive enhancement: the table below has everything.
 * <div id="national-map" hidden data-geojson="…" data-tiles="…" data-attribution="…">, the states in the JSON
 * element #national-map-data ({code: {state, name, url}}); kommuner not in it (filtered out) are drawn faint. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var COLOURS = { running: "#005a8c", coming: "#6aa7cf", ended: "#5b4b8a", document: "#c98a00", none: "#d5d8dc" };

  function setUp(element) {
    var states = {};
    try { states = JSON.parse(document.getElementById("national-map-data").textContent) || {}; } catch (error) { states = {}; }
    element.hidden = false;
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", element.dataset.label || "");
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 }).setView([62.5, 16.5], 4.25);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 12, attribution: element.dataset.attribution || "" }).addTo(map);
    }
    fetch(element.dataset.geojson, { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.features) { return; }
        var layer = L.geoJSON(data, {
          style: function (feature) {
            var found = states[feature.properties.code];
            return {
              color: "#ffffff", weight: 0.6,
              fillColor: found ? COLOURS[found.state] || COLOURS.none : "#f3f5f7",
              fillOpacity: found ? 0.9 : 0.35
            };
          },
          onEachFeature: function (feature, item) {
            var found = states[feature.properties.code];
            var content = document.createElement("span");
            if (found && found.url) {
              var link = document.createElement("a");
              link.href = found.url;
              link.textContent = found.name;
              content.appendChild(link);
            } else {
              content.textContent = feature.properties.name;
            }
            item.bindPopup(content);
          }
        }).addTo(map);
        var shown = Object.keys(states).length;
        if (shown && shown < data.features.length) {
          var bounds = L.latLngBounds([]);
          layer.eachLayer(function (item) { if (states[item.feature.properties.code]) { bounds.extend(item.getBounds()); } });
          if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 9, padding: [10, 10] }); }
        }
      })
      .catch(function () { /* the table has the same kommuner */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("national-map");
    if (element) { setUp(element); }
  });
})();
