// Starts Swagger UI on /docs (kept out of the page so that the page holds no inline script).
'use strict';
(function () {
  const root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: 'BaseLayout',
    deepLinking: true,
    validatorUrl: null,  // the default asks an outside validator service
  });
})();
