// Stand-in for androidx.annotation.RequiresApi (developer.android.com/reference/androidx/annotation/RequiresApi).
package androidx.annotation

@Retention(AnnotationRetention.BINARY)
@Target(AnnotationTarget.CLASS, AnnotationTarget.FUNCTION, AnnotationTarget.CONSTRUCTOR, AnnotationTarget.FIELD, AnnotationTarget.FILE)
annotation class RequiresApi(val value: Int = 1, val api: Int = 1)
