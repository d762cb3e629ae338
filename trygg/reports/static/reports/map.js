/* Maps for residents' reports, on top of Leaflet. Progressive enhancement: every page works without it.
 *
 * <div class="report-map" hidden data-mode="pick|view|hot" data-tiles="…" data-attribution="…"
 *      data-centre="[lat, lon]" data-geojson="url" data-lat="…" data-lon="…">
 * pick: a click sets the form's hidden #id_latitude / #id_longitude and says so in #map-status; the nearest
 *       known address (data-near-url) fills an empty #id_place or is offered in #map-suggestion beside a typed
 *       one; a "Använd min position" button (Geolocation API) is added where the browser has one.
 * view: shows the features of data-geojson (points, with a link each) or one point (data-lat/lon).
 * hot:  shows the polygons of data-geojson (the staff hot-cell layer), each labelled with its number and place
 *       as in the table beside the map; the table's "Visa på kartan" buttons zoom to a cell.
 */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  function number(value) {
    var parsed = parseFloat(value);
    return isFinite(parsed) ? parsed : null;
  }

  function setUp(element) {
    var centre = [56.833, 13.941];
    try { centre = JSON.parse(element.dataset.centre || "null") || centre; } catch (error) { /* keep default */ }
    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false }).setView(centre, 14);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
    }
    var mode = element.dataset.mode;
    if (mode === "pick") { pick(element, map); }
    if (element.dataset.geojson) { load(element, map, mode); }
    var lat = number(element.dataset.lat), lon = number(element.dataset.lon);
    if (mode === "view" && lat !== null && lon !== null) {
      L.circleMarker([lat, lon], { radius: 9, color: "#005a8c" }).addTo(map);
      map.setView([lat, lon], 16);
    }
  }

  function pick(element, map) {
    var latInput = document.getElementById("id_latitude");
    var lonInput = document.getElementById("id_longitude");
    var placeInput = document.getElementById("id_place");
    var status = document.getElementById("map-status");
    var suggestion = document.getElementById("map-suggestion");
    var marker = null;
    var asked = 0;
    var filled = null; // the text the map itself put in the field, which a later click may replace
    function say(text) { if (status) { status.textContent = text; } }
    function place(lat, lon, announce) {
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon], { alt: element.dataset.markerLabel || "" }).addTo(map); }
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
      if (announce) { say((element.dataset.pickedText || "") + " " + lat.toFixed(5) + ", " + lon.toFixed(5)); }
    }
    // The nearest known address: filled in when the resident typed nothing, otherwise only suggested, so that
    // a click never throws away what they wrote.
    function suggest(lat, lon) {
      if (!element.dataset.nearUrl || !placeInput) { return; }
      var ask = ++asked;
      if (suggestion) { suggestion.hidden = true; }
      fetch(element.dataset.nearUrl + "?lat=" + lat.toFixed(6) + "&lon=" + lon.toFixed(6), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (ask !== asked || !data || !data.name) { return; }
          var typed = placeInput.value.trim();
          if (!typed || typed === filled) {
            placeInput.value = filled = data.name;
            say((element.dataset.pickedText || "") + " " + data.name);
            return;
          }
          if (typed.toLowerCase() === data.name.toLowerCase() || !suggestion) { return; }
          suggestion.querySelector("span").textContent = (element.dataset.suggestText || "") + " " + data.name;
          suggestion.hidden = false;
          suggestion.querySelector("button").onclick = function () {
            placeInput.value = filled = data.name;
            suggestion.hidden = true;
            say(element.dataset.usedText || "");
            placeInput.focus();
          };
        })
        .catch(function () { /* the typed address or the point alone still does */ });
    }
    function choose(lat, lon) { place(lat, lon, true); suggest(lat, lon); }
    var lat = number(latInput && latInput.value), lon = number(lonInput && lonInput.value);
    if (lat !== null && lon !== null) { place(lat, lon, false); map.setView([lat, lon], 16); }
    map.on("click", function (event) { choose(event.latlng.lat, event.latlng.lng); });
    locate(element, map, choose, say);
  }

  // "Använd min position": a button only where the browser can tell its position; the form works without it.
  function locate(element, map, choose, say) {
    if (!("geolocation" in navigator) || !element.dataset.locateText) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary locate";
    button.textContent = element.dataset.locateText;
    element.parentNode.insertBefore(button, element);
    button.addEventListener("click", function () {
      say(element.dataset.locatingText || "");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        button.disabled = false;
        var lat = position.coords.latitude, lon = position.coords.longitude;
        map.setView([lat, lon], 17);
        choose(lat, lon);
        say(element.dataset.locatedText || "");
      }, function () {
        button.disabled = false;
        say(element.dataset.locateFailedText || "");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function link(feature) {
    var a = document.createElement("a");
    a.href = feature.properties.url;
    a.textContent = feature.properties.reference + ": " + feature.properties.category_name + " (" + feature.properties.state_name + ")";
    return a;
  }

  function load(element, map, mode) {
    fetch(element.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.features || !data.features.length) { return; }
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { radius: 7, color: "#005a8c" }); },
          style: function () { return mode === "hot" ? { color: "#b00020", weight: 1, fillOpacity: 0.35 } : {}; },
          onEachFeature: function (feature, item) {
            if (mode === "hot") {
              hotCell(element, map, feature, item);
            } else if (feature.properties && feature.properties.url) {
              item.bindPopup(link(feature));
            }
          }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] });
      })
      .catch(function () { /* the list beside the map has the same reports */ });
  }

  function hotCell(element, map, feature, item) {
    var properties = feature.properties;
    var name = (element.dataset.cellText || "") + " " + properties.number;
    var text = document.createElement("span");
    text.textContent = name + ": " + (properties.label || "") + " · n = " + properties.count +
      ", z = " + (properties.z === null ? "–" : properties.z.toFixed(2));
    item.bindPopup(text);
    item.bindTooltip(String(properties.number), { permanent: true, direction: "center", className: "hot-cell-number" });
    var button = document.querySelector('[data-show-cell="' + properties.number + '"]');
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        map.fitBounds(item.getBounds(), { maxZoom: 17, padding: [40, 40] });
        item.openPopup();
        element.scrollIntoView({ block: "nearest" });
      });
    }
  }

  document.querySelectorAll(".report-map").forEach(setUp);
})();
