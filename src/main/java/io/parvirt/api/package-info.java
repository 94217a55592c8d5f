/**
 * The one place that speaks HTTP: a REST API (JSON) whose every route translates a request into an
 * HMC command for {@code hmc} and its result back, served on the home's Unix socket (local CLI,
 * token) and on a TCP address (token or HMC user and password). Routes are listed in {@link
 * io.parvirt.api.Routes}; the OpenAPI description is {@code /openapi.json}.
 */
package io.parvirt.api;
