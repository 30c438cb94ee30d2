// The API's documentation page (/api/docs): Swagger UI, vendored in
// static/vendor, started from this file because the CSP allows no inline script.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
  });
});
