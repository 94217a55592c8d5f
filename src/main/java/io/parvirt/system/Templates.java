package io.parvirt.system;

import static io.parvirt.model.ModelException.Kind.NAME_IN_USE;
import static io.parvirt.model.ModelException.Kind.UNKNOWN_ATTRIBUTE;

import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Names;
import io.parvirt.model.Partition;
import io.parvirt.model.PartitionTemplate;
import io.parvirt.model.Profile;
import io.parvirt.model.ProfileDraft;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.model.VirtualIo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * parvirt's partition templates: {@code mksyscfg -r lpartemplate -i "name=T,lpar_name=P"} saves
 * partition P's definition (its partition record and every profile: processors, memory, virtual
 * adapters, image) as T; {@code mksyscfg -r lpar --template T -i "name=N[,lpar_id=I]"} deploys one
 * partition per record from it. A deployed partition gets its own id, UUID and (fixed MAC
 * addresses dropped) MAC addresses; each profile is validated as {@code mksyscfg} validates one,
 * against the system as the earlier records of the same command leave it.
 */
final class Templates {
    private static final Set<String> SAVE = Set.of("name", "lpar_name", "lpar_id");
    private static final Set<String> DEPLOY = Set.of("name", "lpar_id");

    private Templates() {
    }

    static PartitionTemplate save(SystemDefinition def, List<PartitionTemplate> existing, List<Assignment> attrs) {
        only(attrs, SAVE, "a template (mksyscfg -r lpartemplate)");
        String name = Names.profileName("name", Selectors.value(attrs, "name").orElseThrow(() ->
                ManagedSystem.missing("name", "a template has a name")));
        if (find(existing, name).isPresent()) {
            throw new ModelException(NAME_IN_USE, "name", "The template " + name + " already exists. Choose a "
                    + "different name or remove it first.");
        }
        Partition p = Selectors.partition(def, attrs, "lpar_name", "lpar_id");
        return new PartitionTemplate(name, p.name(), p, List.copyOf(def.profiles(p.id())));
    }

    /** One deployment: the partition and its profiles, and the definition with them. */
    record Deployed(Partition partition, List<Profile> profiles, SystemDefinition result) {
    }

    static Deployed deploy(SystemDefinition def, PartitionTemplate t, List<Assignment> attrs) {
        only(attrs, DEPLOY, "a partition deployed from a template");
        String name = Names.partitionName("name", Selectors.value(attrs, "name").orElseThrow(() ->
                ManagedSystem.missing("name", "each partition deployed from a template is named")));
        int id = PartitionEdit.newId(def, name, Selectors.value(attrs, "lpar_id")
                .map(v -> Values.parseInt("lpar_id", v, 1, Limits.MAX_LPARS)).orElse(null));
        Partition src = t.partition();
        Partition p = new Partition(id, name, src.env(), src.defaultProfile(), UUID.randomUUID().toString(),
                src.options());
        SystemDefinition next = def.with(def.settings(), List.of(p), List.of(), List.of(), List.of(), List.of());
        List<Profile> built = new ArrayList<>();
        for (Profile prof : t.profiles()) {
            Profile copy = new Profile(prof.name(), id, prof.memory(), prof.processors(), withoutMacs(prof.io()),
                    prof.options());
            // the rules of mksyscfg -r prof, against the system as it now is
            built.add(ProfileDraft.of(copy).build(p.env(), next));
        }
        next = next.with(def.settings(), List.of(), List.of(), built, List.of(), List.of());
        return new Deployed(p, built, next);
    }

    static Optional<PartitionTemplate> find(List<PartitionTemplate> all, String name) {
        return all.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    static ModelException notFound(String name) {
        return ModelException.of(ModelException.Kind.PROFILE_NOT_FOUND, "The template named "
                + Values.quote(name).replace("\"", "") + " was not found.");
    }

    /** Fixed MAC addresses would clash: the deployed partition's adapters get the system's. */
    static VirtualIo withoutMacs(VirtualIo io) {
        List<VirtualEthernetAdapter> eth = io.eth().stream().map(e -> new VirtualEthernetAdapter(e.slot(), e.ieee(),
                e.portVlanId(), e.addlVlanIds(), e.trunkPriority(), e.required(), e.vswitch(), null,
                e.allowedOsMacAddrs(), e.qosPriority())).toList();
        return new VirtualIo(io.maxVirtualSlots(), io.serial(), io.scsi(), eth, io.fc());
    }

    private static void only(List<Assignment> attrs, Set<String> allowed, String what) {
        for (Assignment a : attrs) {
            if (!allowed.contains(a.name())) {
                throw new ModelException(UNKNOWN_ATTRIBUTE, a.name(), "The attribute " + Values.quote(a.name())
                        + " is not a valid attribute for " + what + ": use " + String.join(", ",
                        allowed.stream().sorted().toList()) + ".");
            }
        }
    }
}
