package io.parvirt.hypervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The QMP commands parvirt uses, one method each. */
public final class Qmp {
    private final QmpClient client;

    public Qmp(QmpClient client) {
        this.client = client;
    }

    /** ACPI power button. */
    public void systemPowerdown() throws IOException {
        client.execute("system_powerdown", null);
    }

    public void systemReset() throws IOException {
        client.execute("system_reset", null);
    }

    /** {@code quit}: QEMU ends at once. Its answer is brief: whoever quits does not wait long for it. */
    public void quit() throws IOException {
        client.execute("quit", null, QUIT_ANSWER);
    }

    private static final Duration QUIT_ANSWER = Duration.ofSeconds(5);

    /** {@code stop}: the vCPUs stop where they are; memory and devices stay (QEMU's STOP event follows). */
    public void stop() throws IOException {
        client.execute("stop", null);
    }

    /** {@code cont}: the vCPUs go on from where {@link #stop} left them (QEMU's RESUME event follows). */
    public void cont() throws IOException {
        client.execute("cont", null);
    }

    /** {@code query-status}: the VM's run state ({@code running}, {@code paused}, {@code prelaunch}...). */
    public String status() throws IOException {
        return client.execute("query-status", null).path("status").asText();
    }

    /** {@code query-cpus-fast}: the host thread id of each vCPU. */
    public List<Long> vcpuThreadIds() throws IOException {
        List<Long> ids = new ArrayList<>();
        for (JsonNode c : client.execute("query-cpus-fast", null)) {
            ids.add(c.path("thread-id").asLong());
        }
        return ids;
    }

    /** A vCPU as {@code query-cpus-fast} shows it: QEMU's index, its host thread, its device path. */
    public record Vcpu(int cpuIndex, long threadId, String qomPath) {
    }

    /** {@code query-cpus-fast}: every plugged vCPU. */
    public List<Vcpu> vcpus() throws IOException {
        List<Vcpu> out = new ArrayList<>();
        for (JsonNode c : client.execute("query-cpus-fast", null)) {
            out.add(new Vcpu(c.path("cpu-index").asInt(), c.path("thread-id").asLong(), c.path("qom-path").asText()));
        }
        return out;
    }

    /**
     * A CPU slot of {@code query-hotpluggable-cpus}: its device type and location properties
     * ({@code socket-id}, {@code core-id}, {@code thread-id}...), and the device's path when plugged
     * (empty when free).
     */
    public record CpuSlot(String type, ObjectNode props, String qomPath) {
        public boolean plugged() {
            return !qomPath.isEmpty();
        }
    }

    /** {@code query-hotpluggable-cpus}: every slot up to {@code maxcpus}, plugged or free. */
    public List<CpuSlot> hotpluggableCpus() throws IOException {
        List<CpuSlot> out = new ArrayList<>();
        for (JsonNode c : client.execute("query-hotpluggable-cpus", null)) {
            out.add(new CpuSlot(c.path("type").asText(), (ObjectNode) c.path("props"), c.path("qom-path").asText("")));
        }
        return out;
    }

    /** {@code device_add} of a CPU into a free slot, named {@code id}. */
    public void addCpu(CpuSlot slot, String id) throws IOException {
        ObjectNode a = JsonNodeFactory.instance.objectNode().put("driver", slot.type()).put("id", id);
        a.setAll(slot.props());
        a.remove("node-id");
        client.execute("device_add", a);
    }

    /** {@code device_del}: asks the guest to release a device (completion is the DEVICE_DELETED event). */
    public void deviceDel(String id) throws IOException {
        client.execute("device_del", JsonNodeFactory.instance.objectNode().put("id", id));
    }

    /** {@code qom-set} of an integer property. */
    public void qomSet(String path, String property, long value) throws IOException {
        client.execute("qom-set", JsonNodeFactory.instance.objectNode().put("path", path).put("property", property)
                .put("value", value));
    }

    /** A virtio-mem device as {@code query-memory-devices} shows it; sizes in bytes. */
    public record VirtioMem(String id, long size, long requestedSize, long maxSize, long blockSize) {
    }

    /** {@code query-memory-devices}: the virtio-mem devices (other kinds are left out). */
    public List<VirtioMem> virtioMem() throws IOException {
        List<VirtioMem> out = new ArrayList<>();
        for (JsonNode d : client.execute("query-memory-devices", null)) {
            if (d.path("type").asText().equals("virtio-mem")) {
                JsonNode v = d.path("data");
                out.add(new VirtioMem(v.path("id").asText(), v.path("size").asLong(), v.path("requested-size").asLong(),
                        v.path("max-size").asLong(), v.path("block-size").asLong()));
            }
        }
        return out;
    }

    // Migration (issue 14). QEMU 7.2's schema: migration.json.

    /** {@code migrate-set-capabilities}: each named capability on (or off). */
    public void migrateSetCapabilities(java.util.Map<String, Boolean> capabilities) throws IOException {
        var list = JsonNodeFactory.instance.arrayNode();
        capabilities.forEach((k, v) -> list.addObject().put("capability", k).put("state", v));
        client.execute("migrate-set-capabilities", JsonNodeFactory.instance.objectNode().set("capabilities", list));
    }

    /** {@code migrate-set-parameters} with the given members ({@code max-bandwidth}, {@code tls-creds}...). */
    public void migrateSetParameters(ObjectNode parameters) throws IOException {
        client.execute("migrate-set-parameters", parameters);
    }

    /** {@code query-migrate-parameters}: the parameters as QEMU holds them. */
    public JsonNode queryMigrateParameters() throws IOException {
        return client.execute("query-migrate-parameters", JsonNodeFactory.instance.objectNode());
    }

    /** {@code migrate}: starts streaming to {@code uri}; returns at once, progress is {@link #queryMigrate}. */
    public void migrate(String uri) throws IOException {
        client.execute("migrate", JsonNodeFactory.instance.objectNode().put("uri", uri));
    }

    /** {@code migrate_cancel}: the source keeps running; the status becomes {@code cancelled}. */
    public void migrateCancel() throws IOException {
        client.execute("migrate_cancel", null);
    }

    /** {@code migrate-incoming} on a QEMU started with {@code -incoming defer}. */
    public void migrateIncoming(String uri) throws IOException {
        client.execute("migrate-incoming", JsonNodeFactory.instance.objectNode().put("uri", uri));
    }

    /**
     * One look at {@code query-migrate}: {@code status} ({@code none}, {@code setup}, {@code active},
     * {@code completed}, {@code failed}, {@code cancelled}...), RAM bytes sent and left, QEMU's own
     * total time and downtime (ms, when completed), the listening port of an incoming migration
     * (0 when none), and QEMU's error text when it failed.
     */
    public record MigrationInfo(String status, long transferred, long remaining, long total, long totalTimeMs,
            long downtimeMs, int incomingPort, String error) {
        public boolean over() {
            return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
        }
    }

    public MigrationInfo queryMigrate() throws IOException {
        JsonNode r = client.execute("query-migrate", null);
        JsonNode ram = r.path("ram");
        int port = 0;
        for (JsonNode a : r.path("socket-address")) {
            port = a.path("port").asInt(port);
        }
        return new MigrationInfo(r.path("status").asText("none"), ram.path("transferred").asLong(),
                ram.path("remaining").asLong(), ram.path("total").asLong(), r.path("total-time").asLong(),
                r.path("downtime").asLong(), port, r.path("error-desc").asText(""));
    }

    /** {@code announce-self}: the guest's NICs send gratuitous RARPs, so switches learn where they now are. */
    public void announceSelf() throws IOException {
        client.execute("announce-self", JsonNodeFactory.instance.objectNode().put("initial", 0).put("max", 100)
                .put("rounds", 3).put("step", 50));
    }

    /** {@code query-iothreads}: the ids of QEMU's I/O threads. */
    public List<String> iothreads() throws IOException {
        List<String> ids = new ArrayList<>();
        for (JsonNode t : client.execute("query-iothreads", null)) {
            ids.add(t.path("id").asText());
        }
        return ids;
    }

    /** {@code object-add} of an I/O thread. */
    public void addIothread(String id) throws IOException {
        client.execute("object-add", JsonNodeFactory.instance.objectNode().put("qom-type", "iothread").put("id", id));
    }

    /** {@code object-del}. */
    public void objectDel(String id) throws IOException {
        client.execute("object-del", JsonNodeFactory.instance.objectNode().put("id", id));
    }

    /**
     * {@code object-add} of pre-shared-key TLS credentials (QEMU's {@code tls-creds-psk}): {@code dir}
     * holds {@code keys.psk}; a client names its {@code identity}, a server looks it up there.
     */
    public void addTlsPskCredentials(String id, String dir, boolean server, String identity, String priority)
            throws IOException {
        ObjectNode args = JsonNodeFactory.instance.objectNode().put("qom-type", "tls-creds-psk").put("id", id)
                .put("dir", dir).put("endpoint", server ? "server" : "client").put("priority", priority);
        if (!server) {
            args.put("username", identity);
        }
        client.execute("object-add", args);
    }

    /** {@code device_add}: {@code args} holds the driver, the id and the device's typed properties. */
    public void deviceAdd(ObjectNode args) throws IOException {
        client.execute("device_add", args);
    }

    /** {@code netdev_add} of a stream netdev that listens on the Unix socket {@code path}. */
    public void netdevAddStreamServer(String id, String path) throws IOException {
        ObjectNode a = JsonNodeFactory.instance.objectNode().put("type", "stream").put("id", id).put("server", true);
        a.putObject("addr").put("type", "unix").put("path", path);
        client.execute("netdev_add", a);
    }

    /**
     * {@code chardev-add} of a socket chardev that listens on the Unix socket {@code path} without
     * waiting for a peer (a vhost-user NIC's: its back end connects before the netdev is added).
     */
    public void chardevAddSocketServer(String id, String path) throws IOException {
        ObjectNode a = JsonNodeFactory.instance.objectNode().put("id", id);
        ObjectNode data = a.putObject("backend").put("type", "socket").putObject("data");
        data.putObject("addr").put("type", "unix").putObject("data").put("path", path);
        data.put("server", true).put("wait", false);
        client.execute("chardev-add", a);
    }

    /**
     * {@code chardev-add} of a socket chardev that connects to the Unix socket {@code path} (a
     * vhost-user-blk disk's: the storage server listens) and, when the server goes, tries again
     * every {@code reconnectSeconds}.
     */
    public void chardevAddSocketClient(String id, String path, int reconnectSeconds) throws IOException {
        ObjectNode a = JsonNodeFactory.instance.objectNode().put("id", id);
        ObjectNode data = a.putObject("backend").put("type", "socket").putObject("data");
        data.putObject("addr").put("type", "unix").putObject("data").put("path", path);
        data.put("server", false).put("reconnect", reconnectSeconds);
        client.execute("chardev-add", a);
    }

    /** {@code chardev-remove}. */
    public void chardevRemove(String id) throws IOException {
        client.execute("chardev-remove", JsonNodeFactory.instance.objectNode().put("id", id));
    }

    /** The ids of QEMU's chardevs ({@code query-chardev}). */
    public List<String> chardevs() throws IOException {
        List<String> ids = new ArrayList<>();
        client.execute("query-chardev", null).forEach(c -> ids.add(c.path("label").asText()));
        return ids;
    }

    /**
     * {@code netdev_add} of a vhost-user netdev on chardev {@code chardev}. QEMU answers only once
     * the back end connected and answered the device's first requests (features, owner, rings).
     */
    public void netdevAddVhostUser(String id, String chardev) throws IOException {
        client.execute("netdev_add", JsonNodeFactory.instance.objectNode().put("type", "vhost-user").put("id", id)
                .put("chardev", chardev));
    }

    public void netdevDel(String id) throws IOException {
        client.execute("netdev_del", JsonNodeFactory.instance.objectNode().put("id", id));
    }

    /** {@code blockdev-add}: {@code args} is the node's BlockdevOptions. */
    public void blockdevAdd(ObjectNode args) throws IOException {
        client.execute("blockdev-add", args);
    }

    public void blockdevDel(String nodeName) throws IOException {
        client.execute("blockdev-del", JsonNodeFactory.instance.objectNode().put("node-name", nodeName));
    }

    /** {@code blockdev-open-tray} of the removable-media device {@code id}, forced (the guest may have locked it). */
    public void openTray(String id) throws IOException {
        client.execute("blockdev-open-tray", JsonNodeFactory.instance.objectNode().put("id", id).put("force", true));
    }

    public void removeMedium(String id) throws IOException {
        client.execute("blockdev-remove-medium", JsonNodeFactory.instance.objectNode().put("id", id));
    }

    public void insertMedium(String id, String nodeName) throws IOException {
        client.execute("blockdev-insert-medium", JsonNodeFactory.instance.objectNode().put("id", id)
                .put("node-name", nodeName));
    }

    public void closeTray(String id) throws IOException {
        client.execute("blockdev-close-tray", JsonNodeFactory.instance.objectNode().put("id", id));
    }

    /**
     * {@code blockdev-backup sync=full} of node {@code device} into node {@code target}: a
     * point-in-time copy (guest writes after the start reach the target as the old data first).
     * The job stays listed when it ends ({@code auto-dismiss=false}) so that its error can be read.
     */
    public void blockdevBackup(String jobId, String device, String target) throws IOException {
        blockdevBackups(java.util.Map.of(jobId, new String[] {device, target}));
    }

    /**
     * As {@link #blockdevBackup} for several disks in one {@code transaction}: every copy is of the
     * same instant (job id to {device, target}).
     */
    public void blockdevBackups(java.util.Map<String, String[]> jobs) throws IOException {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        var actions = args.putArray("actions");
        for (var e : jobs.entrySet()) {
            ObjectNode a = actions.addObject().put("type", "blockdev-backup");
            a.putObject("data").put("job-id", e.getKey()).put("device", e.getValue()[0])
                    .put("target", e.getValue()[1]).put("sync", "full").put("auto-dismiss", false);
        }
        client.execute("transaction", args);
    }

    /** A block job as {@code query-block-jobs} lists it; {@code error} is null unless it failed. */
    public record BlockJob(String id, String status, long offset, long length, String error) {
        public boolean concluded() {
            return status.equals("concluded") || status.equals("null");
        }
    }

    public List<BlockJob> blockJobs() throws IOException {
        List<BlockJob> out = new java.util.ArrayList<>();
        for (JsonNode j : client.execute("query-block-jobs", null)) {
            out.add(new BlockJob(j.path("device").asText(), j.path("status").asText(), j.path("offset").asLong(),
                    j.path("len").asLong(), j.hasNonNull("error") ? j.get("error").asText() : null));
        }
        return out;
    }

    public void blockJobCancel(String id) throws IOException {
        client.execute("block-job-cancel", JsonNodeFactory.instance.objectNode().put("device", id)
                .put("force", true));
    }

    public void jobDismiss(String id) throws IOException {
        client.execute("job-dismiss", JsonNodeFactory.instance.objectNode().put("id", id));
    }
}
