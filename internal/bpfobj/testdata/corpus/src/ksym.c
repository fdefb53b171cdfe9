/* A kfunc called through a .ksyms extern: libbpf resolves it in the
 * kernel's BTF, which it can do only from the object's BTF. */
#include "common.h"

/* A struct, not a declaration: libbpf finds a FWD incompatible with the
 * kernel's STRUCT. */
struct task_struct {
	int pid;
};
extern struct task_struct *bpf_task_from_pid(int pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("syscall") int ksym_task(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 1;
	bpf_task_release(t);
	return 0;
}
