package io.parvirt.dispatch;

import io.parvirt.dispatch.Dispatcher.Running;
import io.parvirt.model.Allocation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Places dedicated partitions on whole host cores, taken from the highest-numbered CPUs (the
 * shared partitions keep the low ones). A partition keeps its cores while it runs and their number
 * matches its processors, so its threads are not moved every interval. A partition that keeps its
 * idle cores takes them from the shared partitions' cpusets; a lender's stay shared, and their idle
 * part counts as shared capacity.
 */
final class DedicatedCores {
    private DedicatedCores() {
    }

    /** Sets {@link Dispatched#cores} of each dedicated partition in {@code running}. */
    static void place(List<Integer> hostCpus, Collection<Running> running, Map<Integer, Dispatched> state) {
        Set<Integer> taken = new TreeSet<>();
        for (Running r : running) {
            Dispatched d = state.get(r.lparId());
            if (r.allocation().dedicated() && d.cores.size() == r.allocation().vcpus() && !overlaps(d.cores, taken)) {
                taken.addAll(d.cores);
            }
        }
        for (Running r : running) {
            Dispatched d = state.get(r.lparId());
            Allocation a = r.allocation();
            if (a.dedicated() && !(d.cores.size() == a.vcpus() && taken.containsAll(d.cores))) {
                List<Integer> cores = new ArrayList<>();
                for (int i = hostCpus.size() - 1; i >= 0 && cores.size() < a.vcpus(); i--) {
                    if (!taken.contains(hostCpus.get(i))) {
                        cores.add(hostCpus.get(i));
                    }
                }
                d.cores = List.copyOf(cores);
                taken.addAll(cores);
            }
        }
    }

    /**
     * Cores of the physical shared pool: the configurable cores less those dedicated partitions
     * hold, plus what lenders left idle over the last interval.
     */
    static double sharedCapacity(double configurable, Collection<Running> running, Map<Integer, Dispatched> state) {
        double capacity = configurable;
        for (Running r : running) {
            Allocation a = r.allocation();
            if (a.dedicated()) {
                capacity -= a.vcpus();
                if (a.lendsIdleCores()) {
                    capacity += Math.max(0, a.vcpus() - state.get(r.lparId()).meter.used());
                }
            }
        }
        return capacity;
    }

    /** The CPUs shared partitions run on: all but the cores of dedicated partitions that keep theirs. */
    static List<Integer> sharedCpus(List<Integer> hostCpus, Collection<Running> running, Map<Integer, Dispatched> state) {
        List<Integer> shared = new ArrayList<>(hostCpus);
        for (Running r : running) {
            if (r.allocation().dedicated() && !r.allocation().lendsIdleCores()) {
                shared.removeAll(state.get(r.lparId()).cores);
            }
        }
        return shared.isEmpty() ? hostCpus : shared; // never leave shared partitions nowhere to run
    }

    private static boolean overlaps(List<Integer> a, Set<Integer> b) {
        for (int x : a) {
            if (b.contains(x)) {
                return true;
            }
        }
        return false;
    }
}
