// Declarations only (include/CFuzzSupport.h); SwiftPM needs one source file in a C target.
#include "CFuzzSupport.h"
