/**
 * Where parvirt's cgroups are: one owner of the layout {@code parvirt/<home>/lpar<id>} (and the
 * {@code vcpus} child that holds a partition's vCPU threads) under cgroup v1 or v2. The hypervisor
 * places a partition's QEMU process in the partition's group, the dispatcher limits the vCPU child;
 * both find the directories here, and reach them through {@link io.parvirt.cgroup.CgroupFiles} (the host's
 * files, or a guest's in the cgroup v2 test). Only the JDK below it.
 */
package io.parvirt.cgroup;
