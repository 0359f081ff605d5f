// /docs: Swagger UI (vendored, offline) over this server's OpenAPI document.
"use strict";
window.ui = window.SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // No validator badge: it would call a server on the internet.
  validatorUrl: null,
});
