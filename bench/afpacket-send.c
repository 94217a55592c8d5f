/*
 * The kernel-bridge anchor's frame generator for bench/vswitch-forward.sh: sends one Ethernet
 * frame (dst, src, EtherType 0x88B5, a byte pattern; SIZE bytes, no FCS, as the parvirt benchmark
 * builds them) again and again on a network device through an AF_PACKET socket, as fast as the
 * kernel takes it, for SECONDS. sendmmsg(2) hands over BATCH frames per system call and
 * PACKET_QDISC_BYPASS skips the qdisc (as trafgen does): per frame the kernel allocates an skb,
 * copies the frame and calls the device's xmit. Copy mode rather than a TX ring, so a frame
 * never waits for its skb to be freed on another CPU (trafgen's TX_RING stalls when the bridge
 * runs on another CPU through RPS). Prints the frames sent and the seconds taken.
 *
 *   gcc -O2 -o afpacket-send bench/afpacket-send.c
 *   afpacket-send IFNAME SECONDS SIZE DSTMAC SRCMAC [BATCH]     (MACs as 0e:50:56:00:20:02)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void mac(const char *s, unsigned char *out) {
    if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &out[0], &out[1], &out[2], &out[3], &out[4], &out[5]) != 6) {
        fprintf(stderr, "afpacket-send: not a MAC address: %s\n", s);
        exit(2);
    }
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s IFNAME SECONDS SIZE DSTMAC SRCMAC [BATCH]\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[2]);
    int size = atoi(argv[3]);
    int batch = argc > 6 ? atoi(argv[6]) : 256;
    if (size < 14 || size > 9000 || batch < 1 || batch > 1024) {
        fprintf(stderr, "afpacket-send: SIZE 14..9000, BATCH 1..1024\n");
        return 2;
    }
    unsigned char *frame = malloc(size);
    mac(argv[4], frame);
    mac(argv[5], frame + 6);
    frame[12] = 0x88;
    frame[13] = 0xB5;
    for (int i = 14; i < size; i++) {
        frame[i] = (unsigned char) i;
    }
    int fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, receive nothing */
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    int one = 1;
    if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) < 0) {
        perror("PACKET_QDISC_BYPASS");
        return 1;
    }
    struct sockaddr_ll to = {0};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = if_nametoindex(argv[1]);
    to.sll_halen = 6;
    memcpy(to.sll_addr, frame, 6);
    if (to.sll_ifindex == 0) {
        perror(argv[1]);
        return 1;
    }
    if (bind(fd, (struct sockaddr *) &to, sizeof to) < 0) {
        perror("bind");
        return 1;
    }
    struct iovec iov = {frame, (size_t) size};
    struct mmsghdr *msgs = calloc(batch, sizeof *msgs);
    for (int i = 0; i < batch; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
    }
    unsigned long long sent = 0, failed = 0;
    double t0 = now(), end = t0 + seconds, t;
    do {
        int n = sendmmsg(fd, msgs, batch, 0);
        if (n > 0) {
            sent += n;
        } else if (n < 0 && errno != EINTR && errno != ENOBUFS && errno != EAGAIN) {
            perror("sendmmsg");
            return 1;
        } else {
            failed++;
        }
    } while ((t = now()) < end);
    printf("afpacket-send: %s size=%d batch=%d sent=%llu seconds=%.3f fps=%.0f failed_calls=%llu\n", argv[1], size,
           batch, sent, t - t0, sent / (t - t0), failed);
    return 0;
}
