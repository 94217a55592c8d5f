package io.parvirt.model;

import java.util.List;

/** {@code slot/client|server/[supports_hmc]/[remote_lpar_id]/[remote_lpar_name]/[remote_slot]/is_required}. */
public record VirtualSerialAdapter(int slot, AdapterType type, boolean supportsHmc, RemoteRef remote,
        boolean required) implements VirtualAdapter {
    public static final String ATTR = "virtual_serial_adapters";

    /** The two console server adapters every new profile gets in slots 0 and 1. */
    public static final List<VirtualSerialAdapter> DEFAULTS = List.of(
            parse("0/server/1/any//any/1"), parse("1/server/1/any//any/1"));

    public static VirtualSerialAdapter parse(String element) {
        SlashFields f = SlashFields.split(ATTR, element,
                "slot/client|server/[supports_hmc]/[remote_lpar_id]/[remote_lpar_name]/[remote_slot_num]/is_required",
                7);
        AdapterType type = Values.parseEnum(ATTR + " adapter_type", f.str(1), AdapterType.class);
        boolean hmc = !f.empty(2) && f.flag(2, "supports_hmc");
        return new VirtualSerialAdapter(f.integer(0, "slot_num", 0, 65534), type, hmc,
                RemoteRef.parse(f, 3, 4, 5, Limits.MAX_LPARS), f.flag(6, "is_required"));
    }

    @Override
    public String format() {
        return SlashFields.join(slot, type.hmcName(), Values.flag(supportsHmc), remote.idField(), remote.lparName(),
                remote.slotField(), Values.flag(required));
    }
}
