// Statistics core of Monitoring: pure code with no Orleans dependency.
[assembly: System.CLSCompliant(false)]
