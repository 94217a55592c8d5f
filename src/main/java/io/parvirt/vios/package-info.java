/**
 * The Virtual I/O Server's storage command layer (issue 6): what {@code viosvrcmd -c} runs on a
 * partition with {@code lpar_env=vioserver}, as state and output. The data path, the NBD server
 * that serves the files to client partitions, is {@link io.parvirt.vios.nbd}; {@link io.parvirt.vios.ViosService#mappedDevicesOf}
 * is what a client's activation asks: each device it sees, with its client slot, LUN, file, kind,
 * read-only; {@link io.parvirt.vios.ViosService#exportsOf} is what the VIOS's storage server serves.
 *
 * <h2>Decisions (where the reference does not settle it)</h2>
 * <ul>
 * <li><b>The VIOS need not run.</b> A real HMC needs RMC to the VIOS; here storage configuration
 *     is the daemon's own, so every command works whether the VIOS partition runs or not.</li>
 * <li><b>Adapters.</b> {@code vhostN} are the server entries of the VIOS's <em>default
 *     profile's</em> {@code virtual_scsi_adapters}, numbered in slot order. A vhost pairs with the
 *     client adapter (in another partition's default profile) that names this VIOS and slot, and
 *     whose partition and slot the server adapter names when it names them. Mappings are stored by
 *     server slot, so adding an adapter in a lower slot renumbers vhosts but keeps mappings.
 *     {@code lsmap} prints the paired client's id whether or not that client runs (a real VIOS
 *     prints 0x00000000 for a client that is not running), and 0x00000000 when none pairs.</li>
 * <li><b>rootvg</b> ({@link io.parvirt.vios.RootVg}): every VIOS has it from the start, as a real
 *     one does, an LVPOOL of 32704 MB (511 partitions of 64 MB on hdisk0) of which the VIOS's own
 *     logical volumes take 12288 MB (20416 MB free); its backing devices are sparse files in
 *     {@code <home>/vios/<id>/pools/rootvg/}, sized in whole 64 MB partitions. It is the default
 *     pool until {@code chsp -default} names another; {@code rmsp rootvg} is refused.</li>
 * <li><b>Other pools are file pools</b> (FBPOOL): a directory {@code <home>/vios/<id>/pools/<name>}
 *     with a capacity. {@code mksp -fb NAME -size S}; the parent form {@code -sp PARENT} is refused
 *     (file pools stand alone, not inside rootvg). {@code rmsp} of the default makes the first
 *     remaining pool (rootvg) the default. {@code rmsp} only removes a pool with no backing devices
 *     and no repository. {@code lssp}'s Alloc Size(mb) is 1 for a file pool.</li>
 * <li><b>Thin files, full accounting.</b> A backing device is a sparse file; the pool's free space
 *     counts every device's full size and the repository's size, so the sum never exceeds the pool.
 *     Sizes are whole MB ({@code 512}, {@code 512M}) or GB ({@code 10G}), 1 MB to 16 TB.</li>
 * <li><b>Names.</b> Pools, backing devices, VTDs (and vhostN) share one name space per VIOS, 1 to
 *     15 characters of {@code [A-Za-z0-9_.-]} not starting with '.'; media names up to 64. Names
 *     are file names, so nothing can point outside the VIOS's directory.</li>
 * <li><b>rmbdsp.</b> {@code rmbdsp -bd NAME} refuses a mapped backing device (the VIOS removes it
 *     and a client using it sees I/O errors; parvirt asks for {@code rmvdev} first).
 *     {@code rmbdsp -vtd VTD [-savebd]} removes the mapping and, without -savebd, the device, as
 *     IBM documents. {@code rmvdev} removes only the mapping.</li>
 * <li><b>Mappings.</b> A backing device is mapped once. Default names are vtscsiN and vtoptN with
 *     the lowest free N; a new target takes the lowest LUN free on its adapter (0x81..., 0x82...).
 *     {@code mkvdev} prints {@code <vtd> Available}.</li>
 * <li><b>A backing file deleted under a mapping</b> is not an error: lsmap, lsdev and lssp -bd show
 *     the device with status {@code Defined} instead of {@code Available}; lssp's accounting is
 *     unchanged (the device is still defined). The same holds for a loaded medium's file.</li>
 * <li><b>Media.</b> One repository per VIOS ({@code <home>/vios/<id>/repository}), its size taken
 *     from a pool. {@code mkvopt -file} copies the host file into it (a partial copy is never seen:
 *     it is moved into place); {@code -size} makes a blank sparse medium. A read-write medium loads
 *     in one drive; read-only ones in several. {@code rmvopt} refuses a loaded medium unless -f,
 *     which unloads it. {@code unloadopt} of an empty drive is an error.</li>
 * <li><b>Errors.</b> A refused VIOS command prints one line {@code <command>: <sentence>} (which
 *     {@code viosvrcmd} prints after the HMC's {@code HSCL2970 The IOServer command has failed because
 *     of the following reason: }, as an HMC does) naming
 *     the device and the rule, exits 1 and changes nothing (state and files). An unknown command
 *     lists the valid ones. HMC-side errors (unknown partition, not a VIOS) are HSCL lines.</li>
 * <li><b>lsdev -virtual</b> lists only vhostN and the virtual target devices (plain {@code lsdev}
 *     lists every device); descriptions
 *     "Virtual Target Device - File-backed Disk" / "- File-backed Optical".</li>
 * <li><b>Devices tools inventory</b> (issue 15, {@code DeviceCommands}): {@code hdisk0} is the
 *     VIOS's boot disk in rootvg (32768 MB, PVID derived from the partition's UUID; {@code lspv
 *     -free} lists nothing), {@code entN} are the default profile's virtual Ethernet adapters in
 *     slot order, then one Shared Ethernet Adapter per trunk adapter ({@code real_adapter} names
 *     its host TAP), {@code vsa0}, the vhosts and the VTDs. {@code entstat} counts from the
 *     switch port, turned to the adapter's side. No Fibre Channel: {@code fcstat} and {@code lsmap
 *     -npiv} answer as a VIOS without it. {@code ioslevel} is 3.1.4.30. {@code -fmt D} output has
 *     no header and a blank for an empty field.</li>
 * <li><b>Removing a VIOS partition's definition</b> keeps its storage rows and files.</li>
 * <li><b>What a running VIOS serves</b> ({@link io.parvirt.vios.ViosService#exportsOf}): one NBD
 *     export per mapping on a server adapter that pairs with a client, named by its VTD (so its
 *     socket is {@code nbd/<vtd>.sock}, one per mapping); every disk, and every optical drive with
 *     a medium loaded, always read-only (a CD drive does not write, whatever the medium's access).
 *     A mapping on an unpaired adapter is served by nobody. The daemon rewrites the exports after
 *     each viosvrcmd that changes them and signals the server; clients see the change at their
 *     next activation.</li>
 * <li><b>rmvdev or unloadopt while the client runs</b> withdraw the export at once: the running
 *     client's requests to it wait for the reconnect delay and then fail (a real VIOS gives the
 *     client errors too). parvirt does not refuse it; hot-remove belongs to DLPAR.</li>
 * </ul>
 */
package io.parvirt.vios;
