// Starts Swagger UI on /api/docs. A file, not an inline script: the CSP allows no inline code.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // the default asks a third-party site for a badge image
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
