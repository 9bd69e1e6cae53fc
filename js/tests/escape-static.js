// A static import outside the root fails the module before it runs (exit 1).
// exit: 1
// stderr: Cannot import files outside of the module root directory.
import '../../../../etc/passwd';
console.log('must not run');
