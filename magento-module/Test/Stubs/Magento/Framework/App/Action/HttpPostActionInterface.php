<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\App\Action;

/**
 * Test stand-in for Magento's POST action marker interface.
 */
interface HttpPostActionInterface
{
    /**
     * Execute the action.
     *
     * @return mixed
     */
    public function execute();
}
