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
 * matches its processors, so its threads are not moved every interval.
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

    private static boolean overlaps(List<Integer> a, Set<Integer> b) {
        for (int x : a) {
            if (b.contains(x)) {
                return true;
            }
        }
        return false;
    }
}
