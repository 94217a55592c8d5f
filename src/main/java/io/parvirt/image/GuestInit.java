package io.parvirt.image;

/**
 * The programs parvirt writes into the default image: the init (PID 1, busybox sh) and the small
 * wrappers the guest agent and the ACPI daemon call. The init's side of {@link GuestBoot}.
 */
final class GuestInit {
    /** Kernel modules, one "path required|optional" a line in load order; the init reads it. */
    static final String MODULE_LIST = "etc/parvirt/modules";

    private GuestInit() {
    }

    static final String INIT = """
            #!/bin/sh
            # parvirt partition init, PID 1. Its contract with parvirt is io.parvirt.image.GuestBoot.
            # It must never exit: the kernel panics when init does.
            export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root
            mount -t proc -o nosuid,nodev,noexec proc /proc
            mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
            # cgroup v2, where current distributions mount it (the dispatcher's v2 test runs on it)
            mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup 2>/dev/null
            mount -t devtmpfs -o nosuid devtmpfs /dev
            mkdir -p /dev/pts && mount -t devpts -o gid=5,mode=620 devpts /dev/pts
            mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /run

            say() { echo "parvirt: $*" > /dev/console; }

            # A driver with no device to drive is optional: its failure is not worth a console line.
            while read -r module need; do
                insmod "$module" 2>/dev/null || [ "$need" = optional ] || say "cannot load $module"
            done < /etc/parvirt/modules

            # Kernel arguments are data: no globbing while splitting them.
            set -f
            host=lpar ips= vlans=
            for arg in $(cat /proc/cmdline); do
                case "$arg" in
                    parvirt.hostname=*) host=${arg#*=} ;;
                    parvirt.ip=*) ips="$ips,${arg#*=}" ;;
                    parvirt.vlans=*) vlans="$vlans,${arg#*=}" ;;
                esac
            done
            hostname "$host"
            ip link set lo up

            # Devices appear as their drivers probe them, not all at once: wait for a path, <= 5 s.
            wait_for() {
                n=0
                while [ ! -e "$1" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
                [ -e "$1" ]
            }

            # IFACE:ADDR/PREFIX[:GATEWAY]
            address() {
                iface=${1%%:*} rest=${1#*:}
                addr=${rest%%:*} gw=
                [ "$rest" != "$addr" ] && gw=${rest#*:}
                wait_for "/sys/class/net/$iface" || { say "no network interface $iface"; return; }
                ip link set "$iface" up
                ip addr add "$addr" dev "$iface" || say "cannot set $addr on $iface"
                [ -z "$gw" ] || ip route add default via "$gw" dev "$iface" || say "cannot route via $gw"
            }

            # IFACE.VID:ADDR/PREFIX[:GATEWAY], an 802.1Q sub-interface of IFACE
            vlan() {
                sub=${1%%:*}
                parent=${sub%.*} vid=${sub##*.}
                wait_for "/sys/class/net/$parent" || { say "no network interface $parent"; return; }
                ip link set "$parent" up
                ip link add link "$parent" name "$sub" type vlan id "$vid" 2>/dev/null \\
                    || vconfig add "$parent" "$vid" > /dev/null || { say "cannot add VLAN $sub"; return; }
                address "$1"
            }

            IFS=,
            for e in $ips; do [ -z "$e" ] || address "$e"; done
            for e in $vlans; do [ -z "$e" ] || vlan "$e"; done
            unset IFS
            set +f

            # The agent's port is found by name: its vportNpM number depends on the devices QEMU has.
            port=
            n=0
            while [ -z "$port" ] && [ $n -lt 50 ]; do
                for f in /sys/class/virtio-ports/*/name; do
                    [ "$(cat "$f" 2>/dev/null)" = org.qemu.guest_agent.0 ] && { d=${f%/name}; port=${d##*/}; }
                done
                [ -n "$port" ] || { sleep 0.1; n=$((n + 1)); }
            done
            if [ -n "$port" ] && wait_for "/dev/$port"; then
                # No /var/run state directory or pid file exists here unless named.
                qemu-ga -m virtio-serial -p "/dev/$port" -t /run -f /run/qga.pid -l /run/qga.log -d \\
                    || say "the guest agent did not start"
            else
                say "no guest agent port (org.qemu.guest_agent.0)"
            fi

            # ACPI power button (QMP system_powerdown) -> /etc/acpi/PWRF/00000080 -> poweroff.
            acpid -c /etc/acpi -l /run/acpid.log -p /run/acpid.pid 2>/dev/null || say "no ACPI power button"

            # The one ready line, on the serial console parvirt reads. /dev/console is the last active
            # console; if the command line made that something else, ttyS0 gets the line too.
            echo "PARVIRT-READY host=$host" > /dev/console
            read -r consoles < /sys/class/tty/console/active
            [ "${consoles##* }" = ttyS0 ] || echo "PARVIRT-READY host=$host" > /dev/ttyS0

            # A shell for the console user, given the serial line as its controlling terminal.
            while :; do
                setsid cttyhack sh -l
                sleep 1
            done
            """;

    /**
     * qemu-ga's guest-shutdown runs {@code /sbin/shutdown -P|-H|-r +0 "message"}; with no init
     * daemon to ask, the forced busybox actions do it at once.
     */
    static final String SHUTDOWN = """
            #!/bin/sh
            # shutdown [-h] [-P|-H|-r] [TIME] [MESSAGE]: parvirt's init has no runlevels; act now.
            action=poweroff
            for a; do
                case "$a" in
                    -r) action=reboot ;;
                    -H) action=halt ;;
                    -P|-h) ;;
                esac
            done
            sync
            exec /bin/busybox "$action" -f
            """;

    /** poweroff, reboot and halt without -f would signal an init that does not exist. */
    static String forced(String action) {
        return """
                #!/bin/sh
                # busybox %1$s signals PID 1, which is a shell here; act directly instead.
                sync
                exec /bin/busybox %1$s -f
                """.formatted(action);
    }

    /** busybox acpid runs this for the ACPI power button. */
    static final String POWER_BUTTON = """
            #!/bin/sh
            exec /sbin/poweroff
            """;

    static final String PROFILE = """
            export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root
            PS1='\\h:\\w\\$ '
            """;

    static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\n";
    static final String GROUP = "root:x:0:\ntty:x:5:\n";
}
