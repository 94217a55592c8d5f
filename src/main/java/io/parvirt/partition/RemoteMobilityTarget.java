package io.parvirt.partition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.parvirt.model.ModelException;
import io.parvirt.remote.PeerClient;
import io.parvirt.remote.RemoteException;
import io.parvirt.remote.SystemAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A migration's target that is another daemon (issue 14): the same four steps as the in-process
 * {@link MobilityReceiver}, each a call of that daemon's API ({@code POST /api/v1/mobility/...})
 * through this system's connection to it ({@code mksysconn}: pinned certificate, stored user, whose
 * role must allow {@code migrlpar} there). A target that cannot be reached is a refusal, never a hang.
 */
public final class RemoteMobilityTarget implements MobilityTarget {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteMobilityTarget.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Beyond the target's own bound on a step, what the call itself may take. */
    private static final Duration SLACK = Duration.ofSeconds(30);

    private final String system;
    private final PeerClient client;

    public RemoteMobilityTarget(String system, PeerClient client) {
        this.system = system;
        this.client = client;
    }

    @Override
    public String systemName() {
        return system;
    }

    @Override
    public List<ModelException> validate(MigrationRequest request) {
        try {
            return MigrationMessages.refusals(call("validate", MigrationMessages.request(request),
                    Duration.ofSeconds(60)).path("refusals"));
        } catch (ModelException e) {
            return List.of(e);
        }
    }

    @Override
    public String prepare(MigrationRequest request) {
        String uri = call("prepare", MigrationMessages.request(request), Mobility.PREPARE_WAIT.plus(SLACK))
                .path("uri").asText();
        return request.inactive() ? uri : reachable(uri);
    }

    /**
     * The target listens where its API does; a wildcard or loopback address there means "this
     * host", which from here is the address the connection reaches it at.
     */
    String reachable(String uri) {
        int colon = uri.lastIndexOf(':');
        if (!uri.startsWith("tcp:") || colon < 4) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The destination managed system " + system
                    + " gave no usable address for the migration stream (" + uri + ").");
        }
        String host = uri.substring(4, colon);
        SystemAddress peer = client.peer().address();
        if (!peer.loopback() && (host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::")
                || host.startsWith("127.") || host.equals("localhost") || host.equals("[::1]"))) {
            String h = peer.host().contains(":") && !peer.host().startsWith("[") ? "[" + peer.host() + "]"
                    : peer.host();
            return "tcp:" + h + uri.substring(colon);
        }
        return uri;
    }

    @Override
    public void complete(String partition, Duration timeout) {
        call("complete", JsonNodeFactory.instance.objectNode().put("partition", partition)
                .put("timeout_seconds", Math.max(1, timeout.toSeconds())), timeout.plus(SLACK));
    }

    @Override
    public boolean abort(String partition) {
        try {
            return call("abort", JsonNodeFactory.instance.objectNode().put("partition", partition),
                    Duration.ofSeconds(60)).path("removed").asBoolean();
        } catch (ModelException e) {
            // -o r asks again later; the source keeps the partition either way
            LOG.warn("partition {}: the destination {} was not cleaned: {}", partition, system, e.getMessage());
            return false;
        }
    }

    @Override
    public MigrationOffer offer(io.parvirt.model.ProcUnits units, List<String> identifiers) {
        return MigrationMessages.offer(call("offer", MigrationMessages.units(units, identifiers),
                Duration.ofSeconds(60)));
    }

    @Override
    public boolean settle(String partition) {
        return call("settle", JsonNodeFactory.instance.objectNode().put("partition", partition),
                Duration.ofSeconds(60)).path("runs_here").asBoolean();
    }

    @Override
    public boolean recover(String partition) {
        return call("abort", JsonNodeFactory.instance.objectNode().put("partition", partition), Duration.ofSeconds(60))
                .path("removed").asBoolean();
    }

    /** One step on the target: its JSON answer, or its refusal (or why it could not be asked) as a ModelException. */
    private JsonNode call(String step, JsonNode body, Duration timeout) {
        PeerClient.Reply r;
        try {
            r = client.send("POST", "/api/v1/mobility/" + step, JSON.writeValueAsBytes(body), timeout);
        } catch (RemoteException e) {
            throw ModelException.of(ModelException.Kind.SYSTEM_NOT_FOUND, "The destination managed system "
                    + system + " cannot be reached: " + e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        JsonNode answer;
        try {
            answer = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            answer = JSON.createObjectNode();
        }
        if (r.status() / 100 != 2) {
            String message = answer.path("message").asText("HTTP " + r.status());
            ModelException.Kind kind = r.status() == 403 ? ModelException.Kind.NOT_AUTHORIZED
                    : ModelException.Kind.INVALID_STATE;
            throw ModelException.of(kind, "The destination managed system " + system + " refused the migration's "
                    + step + " step: " + message);
        }
        return answer;
    }
}
