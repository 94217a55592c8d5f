package io.parvirt.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcError;
import io.parvirt.hmc.HmcInvocation;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.HsclCode;
import io.parvirt.hmc.TaskRoles;
import io.parvirt.hmc.Row;
import io.parvirt.hmc.command.BackupCommand;
import io.parvirt.hmc.command.SnapshotCommand;
import io.parvirt.hmc.command.EventCommand.ListEvents;
import io.parvirt.hmc.command.Filters;
import io.parvirt.hmc.command.Format;
import io.parvirt.hmc.command.HmcCommand;
import io.parvirt.hmc.command.HwresCommand;
import io.parvirt.hmc.command.HwresCommand.ChangePool;
import io.parvirt.hmc.command.HwresCommand.ListHwres;
import io.parvirt.hmc.command.LifecycleCommand;
import io.parvirt.hmc.command.PartitionRef;
import io.parvirt.hmc.command.PowerCommand;
import io.parvirt.hmc.command.PowerCommand.Operation;
import io.parvirt.hmc.command.PoolRef;
import io.parvirt.hmc.command.SyscfgCommand.ChangePartition;
import io.parvirt.hmc.command.SyscfgCommand.ChangeProfile;
import io.parvirt.hmc.command.SyscfgCommand.ChangeSystem;
import io.parvirt.hmc.command.SyscfgCommand.ListSyscfg;
import io.parvirt.hmc.command.SyscfgCommand.MakePartition;
import io.parvirt.hmc.command.SyscfgCommand.MakeProfile;
import io.parvirt.hmc.command.SyscfgCommand.RemovePartition;
import io.parvirt.hmc.command.SyscfgCommand.RemoveProfile;
import io.parvirt.hmc.command.SyscfgCommand.Resource;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.ModelException;
import io.parvirt.model.Names;
import io.parvirt.model.Values;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every route of the API, in one place. Each handler turns the request (path and JSON body) into a
 * typed HMC command, runs it through {@link Hmc#execute}, and turns the result into JSON; no
 * handler decides anything. Every error answers {@code {"code", "message"}} with the code and
 * status {@link HsclCode} gives its kind.
 */
final class Routes {
    static final String EXIT_CODE_HEADER = "X-Parvirt-Exit-Code";
    static final String VTERM_HEADER = "X-Parvirt-Vterm";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Routes.class);
    private final Hmc hmc;
    private final Auth auth;
    private final Runnable stopDaemon;
    private final byte[] openapi;
    private final WebSessions sessions;
    private final SessionRoutes session;
    private final PartitionFeed feed;
    private final VtermSocket vterm;

    Routes(Hmc hmc, Auth auth, Runnable stopDaemon, java.time.Duration webIdle) {
        this.hmc = hmc;
        this.auth = auth;
        this.stopDaemon = stopDaemon;
        this.sessions = new WebSessions(webIdle, java.time.Clock.systemUTC());
        this.feed = new PartitionFeed(hmc, sessions);
        this.session = new SessionRoutes(hmc, auth, sessions, feed::sessionsEnded);
        this.vterm = new VtermSocket(hmc, auth, sessions);
        try (InputStream in = Routes.class.getResourceAsStream("/api/openapi.json")) {
            openapi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server stops: open event streams end. */
    void close() {
        feed.close();
    }

    void register(JavalinConfig config) {
        var r = config.routes;
        r.before(this::authenticate);
        r.before("/api/v1/*", this::relay);
        r.exception(ModelException.class, (e, ctx) -> error(ctx, HsclCode.error(e)));
        r.exception(Exception.class, (e, ctx) -> {
            // a fault of ours outside any command: the trace goes to the log, one line to the client
            try {
                LOG.error("unexpected failure in {} {}", ctx.method(), ctx.path(), e);
                error(ctx, HsclCode.error(HsclCode.unexpected(e)));
            } catch (RuntimeException gone) {
                // the request is gone (its connection closed under a stream): nobody is left to answer
                LOG.debug("no answer for a request that is gone", gone);
            }
        });
        r.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));
        // the web console's pages (io.parvirt.web): public files; everything they show comes from the routes below
        config.staticFiles.add(WebPages::configure);
        r.post("/api/v1/session", session::login);
        r.get("/api/v1/session", session::describe);
        r.delete("/api/v1/session", session::logout);
        // the serial console in the browser (a WebSocket: no HTTP before-handler runs; it checks for itself)
        r.ws("/api/v1/partitions/{name}/vterm", vterm::configure);
        r.get("/api/v1/feed", new io.javalin.http.sse.SseHandler(client -> feed.subscribe(client,
                client.ctx().attribute("user"), client.ctx().attribute("session"))));
        r.post("/api/v1/hmc/cli", this::cli);
        r.get("/api/v1/daemon", ctx -> ctx.json(Map.of("pid", ProcessHandle.current().pid(),
                "system", sysName(), "partitions", hmc.system().definition().partitions().size())));
        r.post("/api/v1/daemon/stop", ctx -> {
            hmc.authorizeDaemonStop(ctx.attribute("user"));
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
        r.get("/api/v1/system", ctx -> one(ctx, execute(ctx, new ListSyscfg(Resource.SYS, null, Filters.NONE,
                Format.PAIRS))));
        r.patch("/api/v1/system", ctx -> change(ctx, 200, execute(ctx, new ChangeSystem(sysName(),
                attributes(ctx)))));
        r.get("/api/v1/partitions", ctx -> list(ctx, execute(ctx, new ListSyscfg(Resource.LPAR, sysName(),
                Filters.NONE, Format.PAIRS))));
        r.post("/api/v1/partitions", ctx -> {
            // ?validate=only: the create form's live check, every rule of mksyscfg and nothing stored
            boolean only = "only".equals(ctx.queryParam("validate"));
            change(ctx, only ? 200 : 201, execute(ctx, new MakePartition(sysName(), List.of(attributes(ctx)), only)));
        });
        r.get("/api/v1/partitions/{name}", ctx -> one(ctx, execute(ctx, new ListSyscfg(Resource.LPAR, sysName(),
                Filters.of("lpar_names", lpar(ctx)), Format.PAIRS))));
        r.patch("/api/v1/partitions/{name}", ctx -> change(ctx, 200, execute(ctx, new ChangePartition(sysName(),
                List.of(attributes(ctx, set("name", lpar(ctx))))))));
        r.delete("/api/v1/partitions/{name}", ctx -> change(ctx, 204, execute(ctx, new RemovePartition(sysName(),
                new PartitionRef.ByName(lpar(ctx))))));
        r.get("/api/v1/partitions/{name}/profiles", ctx -> list(ctx, execute(ctx, new ListSyscfg(Resource.PROF,
                sysName(), Filters.of("lpar_names", lpar(ctx)), Format.PAIRS))));
        r.post("/api/v1/partitions/{name}/profiles", ctx -> change(ctx, 201, execute(ctx, new MakeProfile(sysName(),
                List.of(attributes(ctx, set("lpar_name", lpar(ctx))))))));
        r.patch("/api/v1/partitions/{name}/profiles/{profile}", ctx -> change(ctx, 200, execute(ctx,
                new ChangeProfile(sysName(), List.of(attributes(ctx, set("lpar_name", lpar(ctx)),
                        set("name", ctx.pathParam("profile"))))))));
        r.delete("/api/v1/partitions/{name}/profiles/{profile}", ctx -> change(ctx, 204, execute(ctx,
                new RemoveProfile(sysName(), new PartitionRef.ByName(lpar(ctx)), ctx.pathParam("profile")))));
        r.get("/api/v1/pools", ctx -> list(ctx, execute(ctx, new ListHwres(sysName(), HwresCommand.Resource.PROCPOOL,
                null, null, null, null, Filters.NONE, Format.PAIRS))));
        r.patch("/api/v1/pools/{name}", ctx -> change(ctx, 200, execute(ctx, new ChangePool(sysName(),
                new PoolRef.ByName(ctx.pathParam("name")), attributes(ctx)))));
        // resource and level are the command line's words: the parser gives their syntax errors
        r.get("/api/v1/hardware/{resource}", ctx -> list(ctx, run(ctx, hardware(ctx))));
        // lslparutil's stored samples of the last ?minutes (60 unless given), ?lpar=NAME: one partition's
        r.get("/api/v1/utilization/{resource}", ctx -> list(ctx, run(ctx, utilization(ctx))));
        r.get("/api/v1/events", ctx -> list(ctx, execute(ctx, new ListEvents(true, 7, Format.PAIRS))));
        r.post("/api/v1/partitions/{name}/exec", this::exec);
        r.get("/api/v1/partitions/{name}/console", ctx -> ctx.contentType("application/octet-stream").result(
                hmc.consoleTail(ctx.attribute("user"), lpar(ctx), 1024 * consoleKb(ctx))));
        // issue 14: this system as a migration's target, asked by the source's daemon
        r.post("/api/v1/mobility/validate", ctx -> mobilityStep(ctx, "validate"));
        r.post("/api/v1/mobility/prepare", ctx -> mobilityStep(ctx, "prepare"));
        r.post("/api/v1/mobility/complete", ctx -> mobilityStep(ctx, "complete"));
        r.post("/api/v1/mobility/abort", ctx -> mobilityStep(ctx, "abort"));
        r.post("/api/v1/mobility/settle", ctx -> mobilityStep(ctx, "settle"));
        r.post("/api/v1/mobility/offer", ctx -> mobilityStep(ctx, "offer"));
        // issue 19: pause, system profiles, profile data, templates (the same typed commands as the CLI's)
        r.post("/api/v1/partitions/{name}/pause", ctx -> change(ctx, 200, execute(ctx, power(ctx, Operation.PAUSE))));
        r.post("/api/v1/partitions/{name}/resume", ctx -> change(ctx, 200, execute(ctx, power(ctx, Operation.RESUME))));
        // issue 14: chlparstate -o suspend|resume|shutdown; the operation is the command line's word
        r.post("/api/v1/partitions/{name}/lparstate/{operation}", ctx -> change(ctx, 200, run(ctx, "chlparstate",
                "-o", ctx.pathParam("operation"), "-m", sysName(), "-p", lpar(ctx))));
        r.get("/api/v1/runstates", ctx -> list(ctx, execute(ctx, new PowerCommand.ListRunState(sysName(),
                Filters.NONE, Format.PAIRS))));
        r.get("/api/v1/sysprofs", ctx -> list(ctx, execute(ctx, new LifecycleCommand.ListSystemProfiles(sysName(),
                Filters.NONE, Format.PAIRS))));
        r.post("/api/v1/sysprofs", ctx -> change(ctx, 201, execute(ctx, new LifecycleCommand.EditSystemProfiles(sysName(),
                List.of(attributes(ctx)), true))));
        r.patch("/api/v1/sysprofs/{sysprof}", ctx -> change(ctx, 200, execute(ctx, new LifecycleCommand.EditSystemProfiles(
                sysName(), List.of(attributes(ctx, set("name", ctx.pathParam("sysprof")))), false))));
        r.delete("/api/v1/sysprofs/{sysprof}", ctx -> change(ctx, 204, execute(ctx, new LifecycleCommand.RemoveSystemProfile(
                sysName(), ctx.pathParam("sysprof")))));
        r.post("/api/v1/sysprofs/{sysprof}/activate", this::activateSystemProfile);
        r.post("/api/v1/profdata/backup", ctx -> change(ctx, 200, execute(ctx, new LifecycleCommand.BackupProfileData(
                sysName(), query(ctx, "file"), "true".equals(ctx.queryParam("force"))))));
        r.post("/api/v1/profdata/restore", ctx -> change(ctx, 200, execute(ctx, new LifecycleCommand.RestoreProfileData(
                sysName(), io.parvirt.model.Values.parseInt("level", query(ctx, "level"), 1, 4),
                ctx.queryParam("file")))));
        // parvirt's partition backup, restore, full clone and their jobs (issue 19)
        r.post("/api/v1/partitions/{name}/backup", ctx -> change(ctx, 200, execute(ctx, new BackupCommand
                .BackupPartition(sysName(), PartitionRef.byName(ctx.pathParam("name")), query(ctx, "file"),
                "true".equals(ctx.queryParam("force"))))));
        r.post("/api/v1/partitions/{name}/clone", ctx -> change(ctx, 201, execute(ctx, new BackupCommand
                .ClonePartition(sysName(), PartitionRef.byName(ctx.pathParam("name")), query(ctx, "name"),
                optionalId(ctx), "true".equals(ctx.queryParam("linked"))))));
        r.post("/api/v1/backups/{file}/restore", ctx -> change(ctx, 201, execute(ctx, new BackupCommand
                .RestorePartition(sysName(), ctx.pathParam("file"), ctx.queryParam("name"), optionalId(ctx)))));
        r.post("/api/v1/backups/{file}/receive", ctx -> change(ctx, 201, execute(ctx, new BackupCommand
                .RestorePartition(sysName(), ctx.pathParam("file"), ctx.queryParam("name"), optionalId(ctx),
                new BackupCommand.SentArchive(ctx::bodyInputStream, ctx.contentLength())))));
        r.post("/api/v1/partitions/{name}/disks/{device}/migrate", ctx -> change(ctx, 200, execute(ctx,
                new BackupCommand.MigrateDisk(sysName(), PartitionRef.byName(ctx.pathParam("name")),
                        ctx.pathParam("device"), query(ctx, "pool"), ctx.queryParam("rate") == null ? 0
                        : io.parvirt.model.Values.parseInt("rate", ctx.queryParam("rate"), 0, 1 << 20)))));
        r.get("/api/v1/lparjobs", ctx -> list(ctx, execute(ctx, new BackupCommand.ListJobs(sysName(), Format.PAIRS))));
        r.delete("/api/v1/lparjobs/{id}", ctx -> change(ctx, 204, execute(ctx, new BackupCommand.CancelJob(sysName(),
                io.parvirt.model.Values.parseInt("id", ctx.pathParam("id"), 1, Integer.MAX_VALUE)))));
        // parvirt's partition snapshots (issue 19)
        r.get("/api/v1/lparsnaps", ctx -> list(ctx, execute(ctx, new SnapshotCommand.ListSnapshots(sysName(), null,
                Format.PAIRS))));
        r.get("/api/v1/partitions/{name}/snapshots", ctx -> list(ctx, execute(ctx, new SnapshotCommand.ListSnapshots(
                sysName(), PartitionRef.byName(ctx.pathParam("name")), Format.PAIRS))));
        r.post("/api/v1/partitions/{name}/snapshots", ctx -> change(ctx, 201, execute(ctx, new SnapshotCommand
                .TakeSnapshot(sysName(), PartitionRef.byName(ctx.pathParam("name")), query(ctx, "snapshot"),
                !"true".equals(ctx.queryParam("nomem")), ctx.queryParam("description")))));
        r.post("/api/v1/partitions/{name}/snapshots/{snapshot}/revert", ctx -> change(ctx, 200, execute(ctx,
                new SnapshotCommand.RevertSnapshot(sysName(), PartitionRef.byName(ctx.pathParam("name")),
                        ctx.pathParam("snapshot")))));
        r.delete("/api/v1/partitions/{name}/snapshots/{snapshot}", ctx -> change(ctx, 204, execute(ctx,
                new SnapshotCommand.RemoveSnapshot(sysName(), PartitionRef.byName(ctx.pathParam("name")),
                        ctx.pathParam("snapshot")))));
        r.get("/api/v1/templates", ctx -> list(ctx, execute(ctx, new LifecycleCommand.ListTemplates(sysName(),
                Filters.NONE, Format.PAIRS))));
        r.post("/api/v1/templates", ctx -> change(ctx, 201, execute(ctx, new LifecycleCommand.SaveTemplates(sysName(),
                List.of(attributes(ctx))))));
        r.delete("/api/v1/templates/{template}", ctx -> change(ctx, 204, execute(ctx, new LifecycleCommand.RemoveTemplate(
                sysName(), ctx.pathParam("template")))));
        r.post("/api/v1/templates/{template}/deploy", ctx -> change(ctx, 201, execute(ctx, new LifecycleCommand
                .DeployTemplate(sysName(), ctx.pathParam("template"), JsonAttributes.parseList(ctx.body())))));
        // parvirt's whole-system figures name every partition: a managed-resource role must hold the system
        r.before("/api/v1/memory", this::wholeSystem);
        r.before("/api/v1/dispatch", this::wholeSystem);
        r.before("/api/v1/vswitch/ports", this::wholeSystem);
        r.before("/api/v1/vscsi/devices", this::wholeSystem);
        r.before("/metrics", this::wholeSystem);
        r.get("/api/v1/memory", ctx -> ctx.json(hmc.memoryReport()));
        r.get("/api/v1/dispatch", ctx -> ctx.json(hmc.dispatchReport()));
        r.get("/api/v1/vswitch/ports", ctx -> ctx.json(hmc.ethernetPorts()));
        r.get("/api/v1/vscsi/devices", ctx -> ctx.json(hmc.virtualScsiDevices()));
        r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(Metrics.render(hmc) + Metrics.feed(feed)));
    }

    /** A partition name from the path; one that cannot exist is answered as the HMC does, not found. */
    private static String lpar(Context ctx) {
        String name = ctx.pathParam("name");
        if (!Names.isValidPartitionName(name)) {
            throw ModelException.ofPartition(ModelException.Kind.PARTITION_NOT_FOUND, name, "The partition named "
                    + Values.quote(name).replace("\"", "") + " was not found.");
        }
        return name;
    }

    private String sysName() {
        return hmc.system().definition().settings().name();
    }

    private void authenticate(Context ctx) {
        // Read the (size-limited) body before any answer: Jetty resets a connection closed on unread data,
        // and a client must get its 401/404, not a reset.
        if (!isArchive(ctx)) {
            ctx.bodyAsBytes();
        }
        if (ctx.path().equals("/openapi.json") || WebPages.isPage(ctx.path()) || SessionRoutes.isLogin(ctx)) {
            return;
        }
        String address = ctx.ip();
        String authorization = ctx.header("Authorization");
        if (authorization == null && ctx.cookie(WebSessions.COOKIE) != null) {
            session.authenticate(ctx);
            return;
        }
        if (authorization != null && authorization.startsWith("Basic ") && !ctx.scheme().equals("https")
                && !loopbackOrLocal(address)) {
            // A password in clear text over a network: refuse it rather than read it.
            ctx.header("WWW-Authenticate", "Basic realm=\"parvirt\"");
            error(ctx, HsclCode.error(ModelException.of(ModelException.Kind.NOT_AUTHENTICATED, "HTTP Basic is "
                    + "offered only over TLS or from this host: connect with https.")));
            ctx.skipRemainingHandlers();
            return;
        }
        var user = auth.user(authorization, address == null || address.isBlank() ? "unix" : address);
        if (user.isEmpty()) {
            // The web console's own requests get no challenge: a browser would answer it with its password
            // dialog in front of the console's login page (and a headless one would wait on it for ever).
            if (!WebPages.isConsoleRequest(ctx)) {
                ctx.header("WWW-Authenticate", "Basic realm=\"parvirt\"");
            }
            error(ctx, HsclCode.error(ModelException.of(ModelException.Kind.NOT_AUTHENTICATED, "The user is not "
                    + "authorized: give the home's token or an HMC user and password.")));
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute("user", user.get());
    }

    /**
     * A backup archive sent to be restored here: its body is read as a stream by its handler, never
     * whole; it is sent with {@code Expect: 100-continue}, so a refusal before the handler reads (401)
     * reaches the client before any of it is sent.
     */
    private static boolean isArchive(Context ctx) {
        return ctx.method() == io.javalin.http.HandlerType.POST && ctx.path().startsWith("/api/v1/backups/")
                && ctx.path().endsWith("/receive");
    }

    /** Routes that are this console's own, whatever {@code ?system=} says. */
    private static final java.util.Set<String> CONSOLE_ROUTES = java.util.Set.of("/api/v1/hmc/cli",
            "/api/v1/session", "/api/v1/feed", "/api/v1/daemon", "/api/v1/daemon/stop");

    /**
     * {@code ?system=SYS} on a route of the API: a connected system's request is relayed whole to its
     * daemon (without the parameter) as this console's connection user, after the caller's own role
     * is checked here, and its status, body and parvirt headers come back as that daemon gave them.
     */
    private void relay(Context ctx) {
        String system = ctx.queryParam("system");
        if (system == null || CONSOLE_ROUTES.contains(ctx.path()) || ctx.attribute("user") == null) {
            return;
        }
        TaskRoles.Task task = ctx.path().endsWith("/exec") ? TaskRoles.Task.GUEST_EXEC
                : ctx.path().endsWith("/console") ? TaskRoles.Task.CONSOLE
                : ctx.method() == io.javalin.http.HandlerType.GET ? TaskRoles.Task.LIST : TaskRoles.Task.CHANGE;
        var target = hmc.relayTarget(ctx.attribute("user"), system, task);
        if (target.isEmpty()) {
            return;
        }
        StringBuilder query = new StringBuilder();
        ctx.queryParamMap().forEach((k, vs) -> {
            if (!k.equals("system")) {
                for (String v : vs) {
                    query.append(query.isEmpty() ? "?" : "&").append(enc(k)).append('=').append(enc(v));
                }
            }
        });
        byte[] body = ctx.bodyAsBytes();
        io.parvirt.remote.PeerClient.Reply reply;
        try {
            reply = target.get().send(ctx.method().name(), ctx.path() + query, body.length == 0 ? null : body);
        } catch (io.parvirt.remote.RemoteException e) {
            throw hmc.relayFailed(target.get(), e);
        }
        hmc.relayed(target.get());
        reply.headers().map().forEach((k, vs) -> {
            if (k.toLowerCase(java.util.Locale.ROOT).startsWith("x-parvirt-")) {
                ctx.header(k, vs.getFirst());
            }
        });
        ctx.status(reply.status()).contentType(reply.contentType().isEmpty() ? "application/json"
                : reply.contentType()).result(reply.body());
        ctx.skipRemainingHandlers();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The client's address for the audit trail: {@code local} on the home's Unix socket. */
    private static String client(Context ctx) {
        String ip = ctx.ip();
        return ip == null || ip.isBlank() ? "local" : ip;
    }

    /** The home's Unix socket (no address) or a loopback address. */
    static boolean loopbackOrLocal(String address) {
        if (address == null || address.isBlank()) {
            return true;
        }
        try {
            return java.net.InetAddress.ofLiteral(address).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void wholeSystem(Context ctx) {
        hmc.authorizeWholeSystem(ctx.attribute("user"));
    }

    private HmcResult execute(Context ctx, HmcCommand command) {
        return hmc.execute(command, ctx.attribute("user"), client(ctx));
    }

    private HmcResult run(Context ctx, String... argv) {
        return hmc.run(new HmcInvocation(List.of(argv), Map.of(), ctx.attribute("user"), client(ctx)));
    }

    /** {@code lshwres -r RESOURCE [--rsubtype S] [--level L]}: the level is sys unless a subtype is named. */
    private String[] hardware(Context ctx) {
        List<String> argv = new ArrayList<>(List.of("lshwres", "-r", ctx.pathParam("resource"), "-m", sysName()));
        String rsubtype = ctx.queryParam("rsubtype");
        String level = ctx.queryParam("level");
        if (rsubtype != null) {
            argv.addAll(List.of("--rsubtype", rsubtype));
        } else if (level == null) {
            level = "sys";
        }
        if (level != null) {
            argv.addAll(List.of("--level", level));
        }
        return argv.toArray(String[]::new);
    }

    /** {@code lslparutil -r RESOURCE --minutes N [--filter lpar_names=NAME]}, newest sample first. */
    private String[] utilization(Context ctx) {
        List<String> argv = new ArrayList<>(List.of("lslparutil", "-r", ctx.pathParam("resource"), "-m", sysName(),
                "--minutes", ctx.queryParamAsClass("minutes", String.class).getOrDefault("60")));
        String lpar = ctx.queryParam("lpar");
        if (lpar != null) {
            argv.addAll(List.of("--filter", "lpar_names=" + lpar));
        }
        return argv.toArray(String[]::new);
    }

    private PowerCommand power(Context ctx, Operation op) {
        return new PowerCommand.ChangeState(sysName(), new PartitionRef.ByName(lpar(ctx)), op, null, false, false,
                false);
    }

    /** A required query parameter; missing, it is the HMC's missing-parameter refusal. */
    /** {@code ?id=N}: the new partition's id, or null for the lowest free. */
    private static Integer optionalId(Context ctx) {
        String v = ctx.queryParam("id");
        return v == null ? null : io.parvirt.model.Values.parseInt("id", v, 1, io.parvirt.model.Limits.MAX_LPARS);
    }

    private static String query(Context ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null) {
            throw ModelException.of(ModelException.Kind.MISSING_ATTRIBUTE, "The query parameter " + name
                    + " is required.");
        }
        return v;
    }

    /** {@code ?test=true}: the plans as text, nothing started ({@code chsysstate -r sysprof --test}). */
    private void activateSystemProfile(Context ctx) {
        boolean test = "true".equals(ctx.queryParam("test"));
        HmcResult res = execute(ctx, new LifecycleCommand.ActivateSystemProfile(sysName(), ctx.pathParam("sysprof"), test));
        if (!error(ctx, res)) {
            ctx.json(Map.of("ok", true, "plan", res.stdout()));
        }
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
        HmcResult res = hmc.run(new HmcInvocation(req.argv(), req.files(), ctx.attribute("user"), client(ctx)));
        if (res.vterm() != null) {
            ctx.header(VTERM_HEADER, res.vterm());
        }
        ctx.header(EXIT_CODE_HEADER, Integer.toString(res.exitCode())).contentType("text/plain; charset=utf-8")
                .result(res.stdout());
    }

    /** The JSON body as attributes, after those the path names. */
    private static List<Assignment> attributes(Context ctx, Assignment... fromPath) {
        return JsonAttributes.parse(ctx.body(), fromPath);
    }

    private static Assignment set(String name, String value) {
        return new Assignment(name, Op.SET, value);
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
                error(ctx, HsclCode.error(ModelException.of(ModelException.Kind.PARTITION_NOT_FOUND, "Not found.")));
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
        if (res.error() == null) {
            return false;
        }
        error(ctx, res.error());
        return true;
    }

    /** {@code ?kb=N}: how much of the console log to answer, 1 to 1024 KB (16 when absent). */
    private static int consoleKb(Context ctx) {
        String kb = ctx.queryParam("kb");
        if (kb == null) {
            return 16;
        }
        try {
            int n = Integer.parseInt(kb);
            if (n >= 1 && n <= 1024) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ModelException(ModelException.Kind.INVALID_VALUE, "kb", "The value " + Values.quote(kb)
                + " for query parameter kb is not valid: give a whole number of KB from 1 to 1024.");
    }

    static void error(Context ctx, HmcError e) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("code", e.apiCode());
        body.put("message", e.message());
        ctx.status(e.httpStatus()).json(body);
    }

    private static ArrayNode rows(List<Row> rows) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Row row : rows == null ? new ArrayList<Row>() : rows) {
            ObjectNode o = a.addObject();
            for (int i = 0; i < row.names().size(); i++) {
                o.put(row.names().get(i), row.values().get(i));
            }
        }
        return a;
    }

    /** One step of this system as a migration's target (each step a route of its own, listed in openapi.json). */
    private void mobilityStep(Context ctx, String step) {
        ctx.json(hmc.mobilityTarget(ctx.attribute("user"), client(ctx), step, Json.read(ctx.body())));
    }
}
