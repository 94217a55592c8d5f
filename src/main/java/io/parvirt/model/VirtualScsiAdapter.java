package io.parvirt.model;

/** {@code slot/client|server/[remote_lpar_id]/[remote_lpar_name]/[remote_slot]/is_required}. */
public record VirtualScsiAdapter(int slot, AdapterType type, RemoteRef remote, boolean required)
        implements VirtualAdapter {
    public static final String ATTR = "virtual_scsi_adapters";

    public static VirtualScsiAdapter parse(String element) {
        SlashFields f = SlashFields.split(ATTR, element,
                "slot/client|server/[remote_lpar_id]/[remote_lpar_name]/[remote_slot_num]/is_required", 6);
        AdapterType type = Values.parseEnum(ATTR + " adapter_type", f.str(1), AdapterType.class);
        RemoteRef remote = RemoteRef.parse(f, 2, 3, 4, Limits.MAX_LPARS);
        if (type == AdapterType.CLIENT && (!remote.namesPartition() || remote.anyPartition())) {
            throw f.invalid("remote_lpar_id or remote_lpar_name", "must name the Virtual I/O Server partition");
        }
        if (type == AdapterType.CLIENT && remote.slot() == null) {
            throw f.invalid("remote_slot_num", "must name the server adapter's slot");
        }
        return new VirtualScsiAdapter(f.integer(0, "slot_num", 2, 65534), type, remote, f.flag(5, "is_required"));
    }

    @Override
    public String format() {
        return SlashFields.join(slot, type.hmcName(), remote.idField(), remote.lparName(), remote.slotField(),
                Values.flag(required));
    }
}
