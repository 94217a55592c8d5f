package io.parvirt.it;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link RunningDaemon} for all the tests of a class, registered as
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SharedDaemon daemon = new SharedDaemon();
 * }</pre>
 *
 * It is started before the class's own {@code @BeforeAll} methods and closed after its {@code @AfterAll}
 * ones. The tests share its state, so each uses names of its own (or a fresh daemon where it needs an
 * empty one).
 */
public final class SharedDaemon implements BeforeAllCallback, AfterAllCallback {
    private RunningDaemon daemon;

    @Override
    public void beforeAll(ExtensionContext context) {
        daemon = RunningDaemon.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    public RunningDaemon get() {
        if (daemon == null) {
            throw new IllegalStateException("the shared daemon runs only while its test class does");
        }
        return daemon;
    }

    /** {@link RunningDaemon#api}. */
    public HttpResponse<String> api(String method, String path, String body) {
        return get().api(method, path, body);
    }

    /** {@link RunningDaemon#api}, which must answer {@code status}; the body is in the failure's message. */
    public HttpResponse<String> api(String method, String path, String body, int status) {
        HttpResponse<String> r = api(method, path, body);
        org.assertj.core.api.Assertions.assertThat(r.statusCode()).as(method + " " + path + ": " + r.body())
                .isEqualTo(status);
        return r;
    }

    /** {@link RunningDaemon#request}. */
    public HttpResponse<String> request(String method, String path, String body, String authorization) {
        return get().request(method, path, body, authorization);
    }

    /** {@link RunningDaemon#hmc}. */
    public RunningDaemon.Hmc hmc(String... argv) {
        return get().hmc(argv);
    }

    /** {@link RunningDaemon#token}. */
    public String token() {
        return get().token();
    }
}
