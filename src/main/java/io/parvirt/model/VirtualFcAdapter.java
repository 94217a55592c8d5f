package io.parvirt.model;

import java.util.List;

/** {@code slot/client|server/[remote_lpar_id]/[remote_lpar_name]/remote_slot/[wwpn1,wwpn2]/is_required}. */
public record VirtualFcAdapter(int slot, AdapterType type, RemoteRef remote, List<String> wwpns, boolean required)
        implements VirtualAdapter {
    public static final String ATTR = "virtual_fc_adapters";

    public VirtualFcAdapter {
        wwpns = List.copyOf(wwpns);
    }

    public static VirtualFcAdapter parse(String element) {
        SlashFields f = SlashFields.split(ATTR, element,
                "slot/client|server/[remote_lpar_id]/[remote_lpar_name]/remote_slot_num/[wwpns]/is_required", 7);
        AdapterType type = Values.parseEnum(ATTR + " adapter_type", f.str(1), AdapterType.class);
        RemoteRef remote = RemoteRef.parse(f, 2, 3, 4, Limits.MAX_LPARS);
        if (remote.slot() == null && !remote.anySlot()) {
            throw f.invalid("remote_slot_num", "is required");
        }
        List<String> wwpns = f.empty(5) ? List.of() : List.of(f.str(5).split(",", -1));
        if (wwpns.size() > 2 || wwpns.stream().anyMatch(w -> !w.matches("[0-9a-fA-F]{16}"))) {
            throw f.invalid("wwpns", "must be empty or two 16-digit hexadecimal port names");
        }
        return new VirtualFcAdapter(f.integer(0, "slot_num", 2, 65534), type, remote,
                wwpns.stream().map(Values::lower).toList(), f.flag(6, "is_required"));
    }

    @Override
    public String format() {
        return SlashFields.join(slot, type.hmcName(), remote.idField(), remote.lparName(), remote.slotField(),
                String.join(",", wwpns), Values.flag(required));
    }
}
