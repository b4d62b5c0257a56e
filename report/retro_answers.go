package report

// retroSectionLimit keeps a section within the platforms' limits (Block Kit
// sections hold 3,000 characters).
const retroSectionLimit = 2800
