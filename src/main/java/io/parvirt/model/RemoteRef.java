package io.parvirt.model;

/**
 * The far end of a client/server adapter pair: a partition named by id, by name or both (either
 * may be left empty), or {@code any}, and a slot or {@code any}. Null fields mean empty/any.
 */
public record RemoteRef(Integer lparId, String lparName, Integer slot, boolean anyPartition, boolean anySlot) {
    public boolean namesPartition() {
        return lparId != null || !lparName.isEmpty();
    }

    String idField() {
        return anyPartition ? "any" : lparId == null ? "" : lparId.toString();
    }

    String slotField() {
        return anySlot ? "any" : slot == null ? "" : slot.toString();
    }

    static RemoteRef parse(SlashFields f, int idIdx, int nameIdx, int slotIdx, int maxLpars) {
        String name = f.str(nameIdx);
        if (!name.isEmpty() && !Names.isValidPartitionName(name)) {
            throw f.invalid("remote_lpar_name", "must be a valid partition name");
        }
        return new RemoteRef(f.optionalInt(idIdx, "remote_lpar_id", 1, maxLpars), name,
                f.optionalInt(slotIdx, "remote_slot_num", 0, 65534), f.str(idIdx).equals("any"),
                f.str(slotIdx).equals("any"));
    }
}
