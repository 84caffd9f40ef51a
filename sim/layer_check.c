/* The entry point of the per-layer link checks (sim/CMakeLists.txt, por_layer): each
 * por_<layer>_linkcheck executable is this file plus every object of one layer, linked
 * against only the layers that layer may use. An object calling a function of a layer it
 * may not use leaves an undefined reference, and the link, hence the build, fails. The
 * program is never run. */
int main(void)
{
    return 0;
}
