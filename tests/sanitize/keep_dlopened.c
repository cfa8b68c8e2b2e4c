/* Linked into sanitizer builds only. Mesa loads its driver (and LLVM) with
 * dlopen and unloads it at exit, before LeakSanitizer looks: the leak reports
 * then show "<unknown module>" frames that no suppression can name. Making
 * dlclose a no-op keeps the libraries mapped: what the driver still holds at
 * exit stays reachable from its globals (so it is not reported), while leaks
 * in vastplot's code are. tests/sanitize/lsan.supp lists the few system
 * libraries whose own leaks are suppressed. */
int dlclose(void *handle);
int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
