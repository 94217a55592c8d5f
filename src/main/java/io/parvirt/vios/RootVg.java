package io.parvirt.vios;

import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code rootvg} storage pool every VIOS has from its installation (IBM's own examples run
 * {@code mkbdsp -sp rootvg ...} and {@code mkrep -sp rootvg ...} on a new VIOS). It is the volume
 * group on {@code hdisk0}: 511 physical partitions of 64 MB (32704 MB), of which the VIOS's own
 * logical volumes (hd5, hd6, hd4, hd2, /var, /home, paging, dump) take 12288 MB, so a new VIOS has
 * 20416 MB free. Backing devices made in it are logical volumes on a real VIOS; here they are
 * sparse files in {@code <home>/vios/<id>/pools/rootvg/}, sized in whole physical partitions. It is
 * the default pool until {@code chsp -default} names another, and cannot be removed.
 */
final class RootVg {
    static final String NAME = "rootvg";
    static final long PP_MB = 64;
    static final long SIZE_MB = 511 * PP_MB;
    /** What the VIOS's own logical volumes take of rootvg. */
    static final long SYSTEM_MB = 192 * PP_MB;

    private RootVg() {
    }

    static boolean is(Pool p) {
        return p.name().equals(NAME);
    }

    /** {@code s} with rootvg first among its pools; the default unless another pool is. */
    static ViosStorage in(ViosStorage s) {
        if (s.pool(NAME).isPresent()) {
            return s;
        }
        List<Pool> pools = new ArrayList<>();
        pools.add(new Pool(NAME, SIZE_MB, s.pools().stream().noneMatch(Pool::isDefault)));
        pools.addAll(s.pools());
        return s.withPools(pools);
    }

    /** The pool's free space: its size less its backing devices, the repository and, in rootvg, the VIOS itself. */
    static long freeMb(ViosStorage s, Pool p) {
        return p.sizeMb() - s.allocatedMb(p.name()) - (is(p) ? SYSTEM_MB : 0);
    }

    /** The unit a pool allocates in: rootvg's physical partition, 1 MB in a file pool. */
    static long allocMb(Pool p) {
        return is(p) ? PP_MB : 1;
    }

    /** {@code sizeMb} rounded up to whole allocation units of the pool. */
    static long rounded(Pool p, long sizeMb) {
        long unit = allocMb(p);
        return (sizeMb + unit - 1) / unit * unit;
    }
}
