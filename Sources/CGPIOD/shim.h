#ifndef EARSHOT_CGPIOD_SHIM_H
#define EARSHOT_CGPIOD_SHIM_H
#include <gpiod.h>
#endif
