// Starts Swagger UI on this service's OpenAPI document. No validator badge: it would call an
// outside service, and /docs must work without internet.
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.url,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
});
