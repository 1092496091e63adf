/* hiltool: the HIL VM's two measuring instruments, independent of Earshot's code.
 *
 *   hiltool play DEVICE FILE.wav
 *       Plays a canonical PCM WAV (16-bit LE) in real time on an ALSA playback
 *       device (hw:Loopback,0,0) and prints
 *         play_start_s=<CLOCK_REALTIME s>  (just before the first write; the
 *                                            stream starts on the first frame)
 *         play_end_s=<CLOCK_REALTIME s>    (after snd_pcm_drain)
 *         play_xruns=<n>                   (player underruns; 0 expected: 500 ms buffer, SCHED_FIFO)
 *       Exit 0, or 2 with the ALSA call and error on stderr.
 *
 *   hiltool now
 *       Prints CLOCK_REALTIME in s with µs (busybox date has no %N).
 *   hiltool offset
 *       Prints CLOCK_REALTIME - CLOCK_MONOTONIC in s (to place ftrace "mono" stamps).
 *
 *   hiltool watch SYSFS_CHIP_DIR OFFSET... [--kill-on-rise OFFSET PID [--signal N]]
 *       Polls gpio-sim's /sys/bus/gpio/devices/gpiochipN/sim_gpio<OFFSET>/value every
 *       1 ms and prints one line per change: "edge <offset> <value> <t> <t_prev_poll>"
 *       (CLOCK_REALTIME s; the change happened within (t_prev_poll, t]; the first
 *       line per offset is "init …"). With
 *       --kill-on-rise it sends SIGTERM (or signal N) to PID on the first rise of OFFSET. Runs
 *       until SIGTERM/SIGINT, then prints "watch_polls=<n> watch_max_gap_ms=<ms>" (the
 *       longest time between two polls: the resolution of every edge time).
 *
 *   hiltool adjtimex
 *       Asks the kernel's clock state read-only, with adjtimex (modes = 0) and with
 *       clock_adjtime(CLOCK_REALTIME) (modes = 0), and prints
 *         adjtimex_rc=<rc> adjtimex_errno=<0|EPERM|…> clock_adjtime_rc=<rc> clock_adjtime_errno=<…>
 *         maxerror_us=<µs> esterror_us=<µs> status=0x<hex> synchronised=<yes|no>
 *       (synchronised: maxerror < 16 s, timedatectl's rule; "unknown" when refused).
 *       With --try-set it then writes esterror back unchanged (modes = ADJ_ESTERROR,
 *       which needs CAP_SYS_TIME) and adds " set_rc=<rc> set_errno=<…>".
 *       Exit 0 either way: the errno is the measurement.
 *
 *   hiltool sntp-server PORT
 *       Answers SNTP requests on 127.0.0.1:PORT with this machine's CLOCK_REALTIME
 *       (stratum 1, reference "HIL", no leap warning), so that a real
 *       systemd-timesyncd can synchronise in a VM without a network. Runs until killed;
 *       prints "sntp_replies=<n>" on each reply.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <alsa/asoundlib.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_real(void) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static int die(const char *call, int err) { fprintf(stderr, "hiltool: %s: %s\n", call, snd_strerror(err)); return 2; }

static int play(const char *dev, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) { fprintf(stderr, "hiltool: %s: %s\n", path, strerror(errno)); return 2; }
	unsigned char h[44];
	if (fread(h, 1, 44, f) != 44 || memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4) || memcmp(h + 36, "data", 4)
	    || h[20] != 1 || h[34] != 16) {
		fprintf(stderr, "hiltool: %s is not a canonical 16-bit PCM WAV\n", path); return 2; }
	unsigned channels = h[22] | h[23] << 8, rate = h[24] | h[25] << 8 | h[26] << 16 | (unsigned)h[27] << 24;
	uint32_t bytes = h[40] | h[41] << 8 | h[42] << 16 | (uint32_t)h[43] << 24;
	long frames = bytes / (2 * channels);
	int16_t *pcm = malloc(bytes);
	if (!pcm || fread(pcm, 1, bytes, f) != bytes) { fprintf(stderr, "hiltool: %s: short data\n", path); return 2; }
	fclose(f);
	snd_pcm_t *p; int e;
	if ((e = snd_pcm_open(&p, dev, SND_PCM_STREAM_PLAYBACK, 0)) < 0) return die("snd_pcm_open", e);
	/* 500 ms of buffer and real-time priority: a player underrun would move every later
	 * event in the captured stream and spoil the known onsets (counted in play_xruns). */
	struct sched_param sp = { .sched_priority = 40 };
	if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) perror("hiltool: sched_setscheduler(SCHED_FIFO)");
	mlockall(MCL_CURRENT | MCL_FUTURE);
	if ((e = snd_pcm_set_params(p, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED, channels, rate, 0, 500000)) < 0)
		return die("snd_pcm_set_params", e);
	snd_pcm_sw_params_t *sw; snd_pcm_sw_params_alloca(&sw);
	snd_pcm_sw_params_current(p, sw);
	snd_pcm_sw_params_set_start_threshold(p, sw, 1);   /* start on the first frame written */
	if ((e = snd_pcm_sw_params(p, sw)) < 0) return die("snd_pcm_sw_params", e);
	double t0 = now_real();
	long done = 0, xruns = 0;
	while (done < frames) {
		snd_pcm_sframes_t w = snd_pcm_writei(p, pcm + done * channels, frames - done);
		if (w < 0) {
			xruns++;
			fprintf(stderr, "hiltool: snd_pcm_writei at frame %ld (%.3f s): %s (recovering)\n", done, (double)done / rate, snd_strerror((int)w));
			if ((e = snd_pcm_recover(p, (int)w, 1)) < 0) return die("snd_pcm_recover", e);
			continue;
		}
		done += w;
	}
	snd_pcm_drain(p);
	double t1 = now_real();
	snd_pcm_close(p);
	printf("play_start_s=%.6f\nplay_end_s=%.6f\nplay_frames=%ld\nplay_xruns=%ld\n", t0, t1, frames, xruns);
	return 0;
}

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

static int watch(int argc, char **argv)
{
	const char *dir = argv[0];
	int offsets[64], fds[64], last[64], n = 0, kill_offset = -1, kill_sig = SIGTERM; pid_t kill_pid = 0; int killed = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kill-on-rise") && i + 2 < argc) { kill_offset = atoi(argv[i + 1]); kill_pid = atoi(argv[i + 2]); i += 2; continue; }
		if (!strcmp(argv[i], "--signal") && i + 1 < argc) { kill_sig = atoi(argv[i + 1]); i += 1; continue; }
		if (n == 64) break;
		char path[512]; snprintf(path, sizeof path, "%s/sim_gpio%s/value", dir, argv[i]);
		if ((fds[n] = open(path, O_RDONLY)) < 0) { fprintf(stderr, "hiltool: %s: %s\n", path, strerror(errno)); return 2; }
		offsets[n] = atoi(argv[i]); last[n] = -1; n++;
	}
	signal(SIGTERM, on_signal); signal(SIGINT, on_signal);
	/* Normal priority on purpose: a real-time poller every 1 ms would outrank the agent's
	 * PTZ thread whose timing is under test (pulse widths come from the kernel trace). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	long polls = 0; double prev = now_real(), max_gap = 0;
	struct timespec period = { 0, 1000000 };
	while (!stop) {
		double t = now_real();
		double gap = t - prev;   /* the edge happened within (t - gap, t] */
		if (gap > max_gap) max_gap = gap;
		prev = t;
		for (int k = 0; k < n; k++) {
			char b[8] = {0};
			if (pread(fds[k], b, sizeof b - 1, 0) <= 0) continue;
			int v = b[0] == '1';
			if (v != last[k]) {
				printf("%s %d %d %.6f %.6f\n", last[k] < 0 ? "init" : "edge", offsets[k], v, t, t - gap);
				if (v && last[k] == 0 && offsets[k] == kill_offset && !killed) { kill(kill_pid, kill_sig); killed = 1;
					printf("%s %d %.6f\n", kill_sig == SIGKILL ? "sigkill" : "sigterm", (int)kill_pid, now_real()); }
				last[k] = v;
			}
		}
		polls++;
		nanosleep(&period, NULL);
	}
	printf("watch_polls=%ld watch_max_gap_ms=%.1f\n", polls, max_gap * 1000);
	return 0;
}

static const char *errno_name(int e)
{
	switch (e) { case 0: return "0"; case EPERM: return "EPERM"; case ENOSYS: return "ENOSYS";
	case EACCES: return "EACCES"; case EINVAL: return "EINVAL"; default: return "other"; }
}

static int adjtimex_probe(int try_set)
{
	struct timex a, c;
	memset(&a, 0, sizeof a); memset(&c, 0, sizeof c);
	errno = 0; int ra = adjtimex(&a); int ea = ra < 0 ? errno : 0;
	errno = 0; int rc = clock_adjtime(CLOCK_REALTIME, &c); int ec = rc < 0 ? errno : 0;
	printf("adjtimex_rc=%d adjtimex_errno=%s clock_adjtime_rc=%d clock_adjtime_errno=%s", ra, errno_name(ea), rc, errno_name(ec));
	if (ra >= 0) printf(" maxerror_us=%ld esterror_us=%ld status=0x%x synchronised=%s", a.maxerror, a.esterror, a.status,
	                    a.maxerror < 16000000 ? "yes" : "no");
	else printf(" synchronised=unknown");
	if (try_set) {
		struct timex w; memset(&w, 0, sizeof w);
		w.modes = ADJ_ESTERROR; w.esterror = ra >= 0 ? a.esterror : 16000000;
		errno = 0; int rs = adjtimex(&w); int es = rs < 0 ? errno : 0;
		printf(" set_rc=%d set_errno=%s", rs, errno_name(es));
	}
	printf("\n");
	return 0;
}

/* NTP time: seconds since 1900 in the high 32 bits, fraction in the low 32. */
static void put_ntp(unsigned char *p, struct timespec t)
{
	uint32_t s = (uint32_t)(t.tv_sec + 2208988800u), f = (uint32_t)(((uint64_t)t.tv_nsec << 32) / 1000000000u);
	s = htonl(s); f = htonl(f); memcpy(p, &s, 4); memcpy(p + 4, &f, 4);
}

static int sntp_server(int port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("hiltool sntp-server: bind"); return 2; }
	long replies = 0;
	for (;;) {
		unsigned char q[512], r[48];
		struct sockaddr_in from; socklen_t fl = sizeof from;
		ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
		struct timespec rx; clock_gettime(CLOCK_REALTIME, &rx);
		if (n < 48) continue;
		memset(r, 0, sizeof r);
		r[0] = (0 << 6) | (4 << 3) | 4;          /* leap 0, version 4, mode 4 (server) */
		r[1] = 1; r[2] = q[2]; r[3] = (unsigned char)-20; /* stratum 1, client's poll, precision ~1 µs */
		r[5] = 0; r[6] = 0x00; r[7] = 0x10;        /* root delay ~0.2 ms */
		r[9] = 0; r[10] = 0x00; r[11] = 0x10;      /* root dispersion ~0.2 ms */
		memcpy(r + 12, "HIL", 4);
		struct timespec ref = rx; ref.tv_sec -= 1; put_ntp(r + 16, ref);
		memcpy(r + 24, q + 40, 8);                 /* originate = the client's transmit */
		put_ntp(r + 32, rx);
		struct timespec tx; clock_gettime(CLOCK_REALTIME, &tx); put_ntp(r + 40, tx);
		sendto(fd, r, sizeof r, 0, (struct sockaddr *)&from, fl);
		printf("sntp_replies=%ld\n", ++replies); fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "adjtimex")) return adjtimex_probe(0);
	if (argc == 3 && !strcmp(argv[1], "adjtimex") && !strcmp(argv[2], "--try-set")) return adjtimex_probe(1);
	if (argc == 3 && !strcmp(argv[1], "sntp-server")) return sntp_server(atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "now")) { printf("%.6f\n", now_real()); return 0; }
	if (argc == 2 && !strcmp(argv[1], "offset")) { /* CLOCK_REALTIME - CLOCK_MONOTONIC, s */
		struct timespec m; double r0 = now_real(); clock_gettime(CLOCK_MONOTONIC, &m); double r1 = now_real();
		printf("%.6f\n", (r0 + r1) / 2 - (m.tv_sec + m.tv_nsec / 1e9)); return 0; }
	if (argc == 4 && !strcmp(argv[1], "play")) return play(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "watch")) return watch(argc - 2, argv + 2);
	fprintf(stderr, "usage: hiltool now | hiltool offset | hiltool adjtimex [--try-set] | hiltool sntp-server PORT | hiltool play DEVICE FILE.wav | hiltool watch SYSFS_CHIP_DIR OFFSET... [--kill-on-rise OFFSET PID [--signal N]]\n");
	return 64;
}
