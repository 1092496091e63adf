// The vector unit the Swift code is compiled for, as Clang sees it: Swift has
// no `#if` for target CPU features, but its Clang importer gets the same
// -target-cpu (`-Xswiftc -target-cpu -Xswiftc haswell`), so these macros
// follow the build's target. Header only: nothing to link.
#ifndef EARSHOT_CPU_H
#define EARSHOT_CPU_H
#if defined(__AVX512F__)
#define EARSHOT_TARGET_AVX512F 1
#else
#define EARSHOT_TARGET_AVX512F 0
#endif
#if defined(__AVX2__)
#define EARSHOT_TARGET_AVX2 1
#else
#define EARSHOT_TARGET_AVX2 0
#endif
#endif
