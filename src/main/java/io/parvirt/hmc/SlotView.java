package io.parvirt.hmc;

import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.model.VirtualSerialAdapter;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.RunState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code lshwres -r virtualio --rsubtype serial --level lpar} and {@code --rsubtype slot --level
 * lpar|slot}. A running partition shows the profile it runs with ({@code state=1}) and the
 * Ethernet and SCSI adapters it runs with (adapter DLPAR may have changed them); any other
 * partition its default profile ({@code state=0}).
 *
 * <p>Serial attributes and order are those of real HMC captures ({@code lpar_name, lpar_id,
 * slot_num, state, is_required, connect_status, adapter_type, supports_hmc, remote_lpar_id,
 * remote_lpar_name, remote_slot_num}; a server adapter open to any partition shows
 * {@code remote_lpar_id=any,remote_lpar_name=,remote_slot_num=any}); {@code connect_status} is
 * {@code unavailable}, as captures show for the console adapters of running and stopped
 * partitions alike. {@code --level lpar} of slot is {@code lpar_name, lpar_id,
 * curr_max_virtual_slots, pend_max_virtual_slots, next_avail_virtual_slot} (captured order);
 * max_virtual_slots cannot change while a partition runs, so pending equals current, and the next
 * available slot is the lowest free slot from 2 (slots 0 and 1 are the consoles), {@code none}
 * when every slot is taken. {@code --level slot} lists each occupied slot as {@code slot_num,
 * config (serial|eth|scsi), state, drc_name, lpar_name, lpar_id}: slot_num first as scripts read
 * it; the order of the rest is unconfirmed.
 */
final class SlotView {
    private SlotView() {
    }

    static final Set<String> SERIAL = Set.of("lpar_name", "lpar_id", "slot_num", "state", "is_required",
            "connect_status", "adapter_type", "supports_hmc", "remote_lpar_id", "remote_lpar_name", "remote_slot_num");
    static final Set<String> SLOT_LPAR = Set.of("lpar_name", "lpar_id", "curr_max_virtual_slots",
            "pend_max_virtual_slots", "next_avail_virtual_slot");
    static final Set<String> SLOT_SLOT = Set.of("slot_num", "config", "state", "drc_name", "lpar_name", "lpar_id");

    private static boolean running(Partition p, PartitionOperations ops) {
        return ops.state(p.id()).filter(RunState::hasProcess).isPresent();
    }

    private static Profile profile(SystemDefinition def, Partition p, PartitionOperations ops) {
        return ops.state(p.id()).filter(RunState::hasProcess).flatMap(s -> def.profile(p.id(), s.profile()))
                .orElse(def.defaultProfile(p));
    }

    static List<Row> serial(SystemDefinition def, Partition p, PartitionOperations ops) {
        String state = running(p, ops) ? "1" : "0";
        List<Row> rows = new ArrayList<>();
        for (VirtualSerialAdapter a : profile(def, p, ops).io().serial().stream()
                .sorted(Comparator.comparingInt(VirtualSerialAdapter::slot)).toList()) {
            ScsiView.Remote remote = ScsiView.Remote.of(def, a.remote(), "");
            rows.add(new Row().put("lpar_name", p.name()).put("lpar_id", p.id()).put("slot_num", a.slot())
                    .put("state", state).put("is_required", Values.flag(a.required()))
                    .put("connect_status", "unavailable").put("adapter_type", a.type().hmcName())
                    .put("supports_hmc", Values.flag(a.supportsHmc())).put("remote_lpar_id", remote.id())
                    .put("remote_lpar_name", remote.name()).put("remote_slot_num", remote.slot()));
        }
        return rows;
    }

    /** The occupied slots of a partition and what each holds, by slot. */
    private static TreeMap<Integer, String> occupied(SystemDefinition def, Partition p, PartitionOperations ops) {
        TreeMap<Integer, String> slots = new TreeMap<>();
        for (VirtualSerialAdapter a : profile(def, p, ops).io().serial()) {
            slots.put(a.slot(), "serial");
        }
        for (EthView.Adapter a : EthView.adapters(def, p, ops)) {
            slots.put(a.slot(), "eth");
        }
        for (Row r : ScsiView.rows(def, p, ops)) {
            slots.put(Integer.parseInt(r.get("slot_num")), "scsi");
        }
        return slots;
    }

    static Row slotsOf(SystemDefinition def, Partition p, PartitionOperations ops) {
        int max = profile(def, p, ops).io().maxVirtualSlots();
        TreeMap<Integer, String> used = occupied(def, p, ops);
        String next = "none";
        for (int s = 2; s < max; s++) {
            if (!used.containsKey(s)) {
                next = Integer.toString(s);
                break;
            }
        }
        return new Row().put("lpar_name", p.name()).put("lpar_id", p.id()).put("curr_max_virtual_slots", max)
                .put("pend_max_virtual_slots", max).put("next_avail_virtual_slot", next);
    }

    static List<Row> slots(SystemDefinition def, Partition p, PartitionOperations ops, String locationPrefix) {
        String state = running(p, ops) ? "1" : "0";
        List<Row> rows = new ArrayList<>();
        for (var e : occupied(def, p, ops).entrySet()) {
            rows.add(new Row().put("slot_num", e.getKey()).put("config", e.getValue()).put("state", state)
                    .put("drc_name", locationPrefix + "-V" + p.id() + "-C" + e.getKey()).put("lpar_name", p.name())
                    .put("lpar_id", p.id()));
        }
        return rows;
    }
}
