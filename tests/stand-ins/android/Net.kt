// Stand-in for android.net.Uri (abstract in the SDK; apps get instances from the system).
package android.net

abstract class Uri
