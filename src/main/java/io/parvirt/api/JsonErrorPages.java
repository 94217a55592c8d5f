package io.parvirt.api;

import io.parvirt.hmc.HmcError;
import io.parvirt.hmc.HsclCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answer to a request Jetty refuses before any route sees it (a NUL or an ambiguous segment in
 * the path, a malformed header): the API's {@code {code, message}} JSON instead of Jetty's HTML page,
 * so that clients parse every error the same way.
 */
final class JsonErrorPages extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        HmcError e = HsclCode.httpLayer(code);
        String body = Json.MAPPER.createObjectNode().put("code", e.apiCode()).put("message", e.message()).toString();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
