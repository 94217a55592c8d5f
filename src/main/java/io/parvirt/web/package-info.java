/**
 * The web console: the pages a browser loads from {@code /} (HTML, CSS and plain JavaScript under
 * {@code src/main/resources/web/}, served from the jar by the API's listener). The pages use only the
 * REST API, with the session cookie the API hands out at login ({@code POST /api/v1/session}); so
 * every action is the API's, with the API's role checks, and this package needs no Java beyond this
 * note: it sits on top, beside {@code cli}, and imports nothing.
 */
package io.parvirt.web;
