import LessonsCLI

LessonsCommand.main()
