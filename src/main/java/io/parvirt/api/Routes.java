package io.parvirt.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.Row;
import io.parvirt.model.Names;
import io.parvirt.model.Values;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every route of the API, in one place. Each handler turns the request into an HMC command line,
 * runs it through {@link Hmc}, and turns the result into JSON; no handler decides anything.
 */
final class Routes {
    static final String EXIT_CODE_HEADER = "X-Parvirt-Exit-Code";
    static final String VTERM_HEADER = "X-Parvirt-Vterm";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final Hmc hmc;
    private final Auth auth;
    private final Runnable stopDaemon;
    private final byte[] openapi;

    Routes(Hmc hmc, Auth auth, Runnable stopDaemon) {
        this.hmc = hmc;
        this.auth = auth;
        this.stopDaemon = stopDaemon;
        try (InputStream in = Routes.class.getResourceAsStream("/api/openapi.json")) {
            openapi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void register(JavalinConfig config) {
        var r = config.routes;
        r.before(this::authenticate);
        r.exception(BadRequest.class, (e, ctx) -> ctx.status(400).json(Map.of("code", e.code(), "message",
                e.getMessage())));
        r.exception(io.parvirt.model.ModelException.class, (e, ctx) -> ctx.status(
                io.parvirt.hmc.HsclCode.httpStatus(e.kind())).json(Map.of("code", io.parvirt.hmc.HsclCode.code(e.kind()),
                "message", e.getMessage())));
        r.exception(NotFound.class, (e, ctx) -> ctx.status(404).json(Map.of("code", "HSCL8012", "message",
                e.getMessage())));
        r.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));
        r.post("/api/v1/hmc/cli", this::cli);
        r.get("/api/v1/daemon", ctx -> ctx.json(Map.of("pid", ProcessHandle.current().pid(),
                "system", sysName(), "partitions", hmc.system().definition().partitions().size())));
        r.post("/api/v1/daemon/stop", ctx -> {
            ctx.status(202).json(Map.of("stopping", true));
            // Stop after this answer has left: closing the server under it would cut the caller off.
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                stopDaemon.run();
            });
        });
        r.get("/api/v1/system", ctx -> one(ctx, run(ctx, "lssyscfg", "-r", "sys")));
        r.patch("/api/v1/system", ctx -> change(ctx, 200, run(ctx, "chsyscfg", "-r", "sys", "-m", sysName(),
                "-i", record(ctx, null, null))));
        r.get("/api/v1/partitions", ctx -> list(ctx, run(ctx, "lssyscfg", "-r", "lpar", "-m", sysName())));
        r.post("/api/v1/partitions", ctx -> change(ctx, 201, run(ctx, "mksyscfg", "-r", "lpar", "-m", sysName(),
                "-i", record(ctx, null, null))));
        r.get("/api/v1/partitions/{name}", ctx -> one(ctx, run(ctx, "lssyscfg", "-r", "lpar", "-m", sysName(),
                "--filter", filter("lpar_names", lpar(ctx)))));
        r.patch("/api/v1/partitions/{name}", ctx -> change(ctx, 200, run(ctx, "chsyscfg", "-r", "lpar", "-m",
                sysName(), "-i", record(ctx, "name", lpar(ctx)))));
        r.delete("/api/v1/partitions/{name}", ctx -> change(ctx, 204, run(ctx, "rmsyscfg", "-r", "lpar", "-m",
                sysName(), "-n", lpar(ctx))));
        r.get("/api/v1/partitions/{name}/profiles", ctx -> list(ctx, run(ctx, "lssyscfg", "-r", "prof", "-m",
                sysName(), "--filter", filter("lpar_names", lpar(ctx)))));
        r.post("/api/v1/partitions/{name}/profiles", ctx -> change(ctx, 201, run(ctx, "mksyscfg", "-r", "prof",
                "-m", sysName(), "-i", record(ctx, "lpar_name", lpar(ctx)))));
        r.patch("/api/v1/partitions/{name}/profiles/{profile}", ctx -> change(ctx, 200, run(ctx, "chsyscfg", "-r",
                "prof", "-m", sysName(), "-i", record(ctx, "lpar_name", lpar(ctx), "name",
                        ctx.pathParam("profile")))));
        r.delete("/api/v1/partitions/{name}/profiles/{profile}", ctx -> change(ctx, 204, run(ctx, "rmsyscfg", "-r",
                "prof", "-m", sysName(), "-p", lpar(ctx), "-n", ctx.pathParam("profile"))));
        r.get("/api/v1/pools", ctx -> list(ctx, run(ctx, "lshwres", "-r", "procpool", "-m", sysName())));
        r.patch("/api/v1/pools/{name}", ctx -> change(ctx, 200, run(ctx, "chhwres", "-r", "procpool", "-m",
                sysName(), "-o", "s", "--poolname", ctx.pathParam("name"), "-a", record(ctx, null, null))));
        r.get("/api/v1/hardware/{resource}", ctx -> list(ctx, run(ctx, "lshwres", "-r", ctx.pathParam("resource"),
                "-m", sysName(), "--level", ctx.queryParamAsClass("level", String.class).getOrDefault("sys"))));
        r.get("/api/v1/events", ctx -> list(ctx, run(ctx, "lssvcevents", "-t", "console")));
        r.post("/api/v1/partitions/{name}/exec", this::exec);
        r.get("/api/v1/partitions/{name}/console", ctx -> ctx.contentType("application/octet-stream").result(
                hmc.consoleTail(lpar(ctx), 1024 * ctx.queryParamAsClass("kb", Integer.class).getOrDefault(16))));
        r.get("/api/v1/memory", ctx -> ctx.json(hmc.memoryReport()));
        r.get("/api/v1/dispatch", ctx -> ctx.json(hmc.dispatchReport()));
        r.get("/api/v1/vswitch/ports", ctx -> ctx.json(hmc.ethernetPorts()));
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(Metrics.render(hmc)));
    }

    /** A partition name from the path; one that cannot exist is answered as the HMC does, HSCL8012. */
    private static String lpar(Context ctx) {
        String name = ctx.pathParam("name");
        if (!Names.isValidPartitionName(name)) {
            throw new NotFound("The partition named " + Values.quote(name).replace("\"", "") + " was not found.");
        }
        return name;
    }

    private String sysName() {
        return hmc.system().definition().settings().name();
    }

    private void authenticate(Context ctx) {
        // Read the (size-limited) body before any answer: Jetty resets a connection closed on unread data,
        // and a client must get its 401/404, not a reset.
        ctx.bodyAsBytes();
        if (ctx.path().equals("/openapi.json")) {
            return;
        }
        var user = auth.user(ctx.header("Authorization"));
        if (user.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"parvirt\"");
            ctx.status(401).json(Map.of("code", "HSCL350B", "message", "The user is not authorized: give the home's "
                    + "token or an HMC user and password."));
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute("user", user.get());
    }

    private HmcResult run(Context ctx, String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of(), ctx.attribute("user")));
    }

    /** parvirt's guest exec: {@code {"argv": [...], "timeout_seconds": N}}; answers exit code and output. */
    private void exec(Context ctx) {
        ExecRequest req = ExecRequest.parse(ctx.body());
        var r = hmc.guestExec(ctx.attribute("user"), lpar(ctx), req.argv(), java.time.Duration.ofSeconds(req.timeoutSeconds()));
        ctx.json(Map.of("exit_code", r.exitCode(), "stdout", new String(r.stdout(), java.nio.charset.StandardCharsets.UTF_8),
                "stderr", new String(r.stderr(), java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** The HMC command line, as the CLI sends it: argv, and the contents of any -f files. */
    private void cli(Context ctx) {
        CliRequest req = CliRequest.parse(ctx.body());
        HmcResult res = hmc.run(new HmcInvocation(req.argv(), req.files(), ctx.attribute("user")));
        if (res.vterm() != null) {
            ctx.header(VTERM_HEADER, res.vterm());
        }
        ctx.header(EXIT_CODE_HEADER, Integer.toString(res.exitCode())).contentType("text/plain; charset=utf-8")
                .result(res.stdout());
    }

    /** Partition names hold no commas or quotes (model rule), so the value needs no escaping. */
    private static String filter(String name, String value) {
        return name + "=" + value;
    }

    /** The JSON body as an HMC attribute record, with the selector pairs from the path in front. */
    private static String record(Context ctx, String... selectors) {
        return JsonRecord.toRecord(ctx.body(), selectors);
    }

    private static void list(Context ctx, HmcResult res) {
        if (!error(ctx, res)) {
            ctx.json(rows(res.rows()));
        }
    }

    private static void one(Context ctx, HmcResult res) {
        if (!error(ctx, res)) {
            ArrayNode a = rows(res.rows());
            if (a.isEmpty()) {
                ctx.status(404).json(Map.of("code", "HSCL8012", "message", "Not found."));
            } else {
                ctx.json(a.get(0));
            }
        }
    }

    private static void change(Context ctx, int status, HmcResult res) {
        if (!error(ctx, res)) {
            ctx.status(status);
            if (status != 204) {
                ctx.json(Map.of("ok", true));
            }
        }
    }

    private static boolean error(Context ctx, HmcResult res) {
        if (res.exitCode() == 0) {
            return false;
        }
        ObjectNode e = JSON.createObjectNode();
        e.put("code", res.code());
        e.put("message", res.message());
        ctx.status(res.httpStatus()).json(e);
        return true;
    }

    private static ArrayNode rows(List<Row> rows) {
        ArrayNode a = JSON.createArrayNode();
        for (Row row : rows == null ? new ArrayList<Row>() : rows) {
            ObjectNode o = a.addObject();
            for (int i = 0; i < row.names().size(); i++) {
                o.put(row.names().get(i), row.values().get(i));
            }
        }
        return a;
    }

    static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
