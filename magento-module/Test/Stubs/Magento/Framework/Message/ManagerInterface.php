<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Message;

/**
 * Test stand-in for Magento's message manager (the methods this module uses).
 */
interface ManagerInterface
{
    /**
     * Add an error message.
     *
     * @param string|\Magento\Framework\Phrase $message
     * @param string|null $group
     * @return $this
     */
    public function addErrorMessage($message, $group = null);
}
